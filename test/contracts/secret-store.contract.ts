import { resolveSecret, type SecretStore } from '@windhover/core';
import { describe, expect, it } from 'vitest';

/** Secrets to seed, by scope: tenant-level ones are seen by every namespace of the tenant. */
export interface SecretSeed {
  readonly tenantId: string;
  readonly tenant?: Readonly<Record<string, string>>;
  readonly namespaces?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * The SecretStore contract. `makeStore(seed)` returns a store holding
 * exactly the seeded secrets (how they get there is the adapter's business:
 * env vars and a secrets file locally, Secrets Manager on AWS).
 */
export function describeSecretStoreContract(name: string, makeStore: (seed: SecretSeed) => Promise<SecretStore>): void {
  describe(`SecretStore contract: ${name}`, () => {
    const seed: SecretSeed = {
      tenantId: 'main',
      tenant: { API_TOKEN: 'tenant-token', SHARED: 'from-tenant', MULTILINE: 'line 1\nline 2\n  ünïcode ✓ "quotes" $HOME' },
      namespaces: {
        company: { SHARED: 'from-company', DB_PASSWORD: 'company-db' },
        'company.team': { DB_PASSWORD: 'team-db' },
      },
    };

    it('returns a tenant-level secret exactly, special characters included', async () => {
      const s = await makeStore(seed);
      expect(await s.get('main', undefined, 'API_TOKEN')).toBe('tenant-token');
      expect(await s.get('main', undefined, 'MULTILINE')).toBe('line 1\nline 2\n  ünïcode ✓ "quotes" $HOME');
    });

    it('returns a namespace secret only at its own scope', async () => {
      const s = await makeStore(seed);
      expect(await s.get('main', 'company.team', 'DB_PASSWORD')).toBe('team-db');
      expect(await s.get('main', 'company', 'DB_PASSWORD')).toBe('company-db');
      expect(await s.get('main', 'company.other', 'DB_PASSWORD')).toBeUndefined();
      expect(await s.get('main', undefined, 'DB_PASSWORD')).toBeUndefined();
    });

    it('returns undefined for a missing key', async () => {
      const s = await makeStore(seed);
      expect(await s.get('main', undefined, 'NOPE')).toBeUndefined();
      expect(await s.get('main', 'company.team', 'NOPE')).toBeUndefined();
    });

    it('resolves the namespace, then its parents, then the tenant, nearest first', async () => {
      const s = await makeStore(seed);
      expect(await resolveSecret(s, 'main', 'company.team', 'DB_PASSWORD')).toBe('team-db');
      expect(await resolveSecret(s, 'main', 'company.team.deep', 'DB_PASSWORD')).toBe('team-db');
      expect(await resolveSecret(s, 'main', 'company.team', 'SHARED')).toBe('from-company');
      expect(await resolveSecret(s, 'main', 'elsewhere', 'SHARED')).toBe('from-tenant');
      expect(await resolveSecret(s, 'main', 'company.team', 'API_TOKEN')).toBe('tenant-token');
      expect(await resolveSecret(s, 'main', 'company.team', 'NOPE')).toBeUndefined();
    });

    it('lists the keys of one scope, sorted, never the values', async () => {
      const s = await makeStore(seed);
      const tenantKeys = await s.list('main', undefined);
      expect(tenantKeys).toEqual(['API_TOKEN', 'MULTILINE', 'SHARED']);
      expect(await s.list('main', 'company')).toEqual(['DB_PASSWORD', 'SHARED']);
      expect(await s.list('main', 'company.team')).toEqual(['DB_PASSWORD']);
      expect(await s.list('main', 'nobody')).toEqual([]);
      const everything = JSON.stringify([tenantKeys, await s.list('main', 'company')]);
      for (const v of ['tenant-token', 'from-company', 'company-db']) expect(everything).not.toContain(v);
    });
  });
}
