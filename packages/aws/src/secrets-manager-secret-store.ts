import { GetSecretValueCommand, ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '@windhover/core';

/**
 * Secrets in AWS Secrets Manager, one secret per key, named
 *
 *   `{prefix}/{tenant}/{namespace}/{KEY}`   namespace-level (e.g. `windhover/main/company.team/DB_PASSWORD`)
 *   `{prefix}/{tenant}/{KEY}`               tenant-level (seen by every namespace)
 *
 * The value is the secret's SecretString, used as is (no base64, unlike the
 * OSS `SECRET_` env vars). Namespaces cannot contain `/`, so the two forms
 * never collide. Parent-namespace fallback is `resolveSecret` from core.
 * Values (and misses) are cached in memory for `cacheMs` (Kestra's default
 * `expire-after-write: 60s`) to bound Secrets Manager calls and cost.
 */
export class SecretsManagerSecretStore implements SecretStore {
  private readonly cache = new Map<string, { value: string | undefined; at: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: { readonly prefix?: string; readonly cacheMs?: number; readonly now?: () => number } = {},
  ) {}

  /** The Secrets Manager name of a key at a scope. */
  nameOf(tenantId: string, namespace: string | undefined, key: string): string {
    return `${this.scopePrefix(tenantId, namespace)}${key}`;
  }

  async get(tenantId: string, namespace: string | undefined, key: string): Promise<string | undefined> {
    const name = this.nameOf(tenantId, namespace, key);
    const now = this.now();
    const hit = this.cache.get(name);
    if (hit && now - hit.at < (this.options.cacheMs ?? 60_000)) return hit.value;
    let value: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      value = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
    } catch (e) {
      if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
      value = undefined;
    }
    this.cache.set(name, { value, at: now });
    return value;
  }

  async list(tenantId: string, namespace: string | undefined): Promise<readonly string[]> {
    const prefix = this.scopePrefix(tenantId, namespace);
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], NextToken: token, MaxResults: 100 }),
      );
      for (const s of page.SecretList ?? []) {
        const rest = s.Name?.startsWith(prefix) ? s.Name.slice(prefix.length) : undefined;
        // Only keys of exactly this scope: a tenant-level listing must not show namespace secrets.
        if (rest && !rest.includes('/')) out.push(rest);
      }
      token = page.NextToken;
    } while (token);
    return [...new Set(out)].sort();
  }

  private scopePrefix(tenantId: string, namespace: string | undefined): string {
    const prefix = this.options.prefix ?? 'windhover';
    return namespace === undefined ? `${prefix}/${tenantId}/` : `${prefix}/${tenantId}/${namespace}/`;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }
}
