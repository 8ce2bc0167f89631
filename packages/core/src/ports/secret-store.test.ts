import { describe, expect, it } from 'vitest';
import { requireSecret, resolveSecret, type SecretStore } from './secret-store';

const values: Readonly<Record<string, string>> = { 'company|DB': 'company-db', '*|TOKEN': 'tenant-token' };
const store: SecretStore = {
  get: async (_t, ns, key) => values[`${ns ?? '*'}|${key}`],
  list: async () => [],
};

describe('requireSecret', () => {
  it('resolves through parents and the tenant like resolveSecret', async () => {
    expect(await requireSecret(store, 'main', 'company.team', 'DB')).toBe('company-db');
    expect(await requireSecret(store, 'main', 'company.team', 'TOKEN')).toBe(await resolveSecret(store, 'main', 'x', 'TOKEN'));
  });

  it('fails with NOT_FOUND naming the key and the namespace', async () => {
    const e = await requireSecret(store, 'main', 'company.team', 'MISSING').catch((x: unknown) => x);
    expect((e as { code: string }).code).toBe('NOT_FOUND');
    expect((e as Error).message).toBe("Secret 'MISSING' not found in namespace 'company.team', its parent namespaces or the tenant");
  });
});
