import { readFileSync } from 'node:fs';
import { BadRequestError, type SecretStore } from '@windhover/core';

/** Prefix of secret environment variables, as Kestra OSS: `SECRET_<KEY>=base64(value)`. */
export const SECRET_ENV_PREFIX = 'SECRET_';

export interface EnvSecretStoreOptions {
  /** The process environment (read once, at construction: changes need a restart, as in Kestra). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Optional JSON secrets file with plain (not base64) values:
   * `{ "tenant": { "KEY": "value" }, "namespaces": { "company.team": { "KEY": "value" } } }`.
   * Keep it out of Git and readable only by the server's user.
   */
  readonly secretsFile?: string;
}

interface Scoped {
  readonly tenant: Map<string, string | Error>;
  readonly namespaces: Map<string, Map<string, string>>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Secrets of the local edition.
 *
 * Scoping: `SECRET_<KEY>` environment variables hold base64 values (Kestra
 * OSS's convention) and are tenant-level, so every namespace of every tenant
 * sees them (Kestra OSS ignores namespaces too). Namespace-level secrets
 * come from the secrets file's `namespaces` section; `secret()` resolves
 * the namespace, then its parents, then the tenant (`resolveSecret`).
 * A tenant-level key in the file wins over the same `SECRET_` variable.
 */
export class EnvSecretStore implements SecretStore {
  readonly #scoped: Scoped;

  constructor(options: EnvSecretStoreOptions = {}) {
    const tenant = new Map<string, string | Error>();
    for (const [name, raw] of Object.entries(options.env ?? {})) {
      if (!name.startsWith(SECRET_ENV_PREFIX) || raw === undefined || name.length === SECRET_ENV_PREFIX.length) continue;
      const key = name.slice(SECRET_ENV_PREFIX.length);
      tenant.set(key, decodeBase64(key, raw));
    }
    const namespaces = new Map<string, Map<string, string>>();
    if (options.secretsFile) {
      const file = readSecretsFile(options.secretsFile);
      for (const [k, v] of Object.entries(file.tenant ?? {})) tenant.set(k, v);
      for (const [ns, values] of Object.entries(file.namespaces ?? {})) namespaces.set(ns, new Map(Object.entries(values)));
    }
    this.#scoped = { tenant, namespaces };
  }

  async get(_tenantId: string, namespace: string | undefined, key: string): Promise<string | undefined> {
    const v = namespace === undefined ? this.#scoped.tenant.get(key) : this.#scoped.namespaces.get(namespace)?.get(key);
    if (v instanceof Error) throw v;
    return v;
  }

  async list(_tenantId: string, namespace: string | undefined): Promise<readonly string[]> {
    const keys = namespace === undefined ? this.#scoped.tenant.keys() : (this.#scoped.namespaces.get(namespace)?.keys() ?? []);
    return [...keys].sort();
  }
}

/** Decodes like java.util.Base64 (whitespace tolerated); an invalid value fails when the secret is read, naming only the key. */
function decodeBase64(key: string, raw: string): string | Error {
  const compact = raw.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1) {
    return new BadRequestError(`Secret '${key}' (environment variable ${SECRET_ENV_PREFIX}${key}) is not valid base64`);
  }
  return Buffer.from(compact, 'base64').toString('utf8');
}

interface SecretsFile {
  readonly tenant?: Record<string, string>;
  readonly namespaces?: Record<string, Record<string, string>>;
}

function readSecretsFile(file: string): SecretsFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    // The parser's message may quote file content (a secret), so only the file name is reported.
    throw new Error(`Secrets file '${file}' cannot be read as JSON`, { cause: e instanceof Error && 'code' in e ? e : undefined });
  }
  const isStringMap = (v: unknown): v is Record<string, string> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
  const f = parsed as { tenant?: unknown; namespaces?: unknown };
  if (typeof parsed !== 'object' || parsed === null || (f.tenant !== undefined && !isStringMap(f.tenant))) {
    throw new Error(`Secrets file '${file}' must be {"tenant": {KEY: value}, "namespaces": {ns: {KEY: value}}}`);
  }
  const ns = f.namespaces ?? {};
  if (typeof ns !== 'object' || ns === null || Array.isArray(ns) || !Object.values(ns).every(isStringMap)) {
    throw new Error(`Secrets file '${file}': "namespaces" must map namespaces to {KEY: value} objects`);
  }
  return { tenant: f.tenant as Record<string, string> | undefined, namespaces: ns as Record<string, Record<string, string>> };
}
