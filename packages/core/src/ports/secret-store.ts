import { WindhoverError } from '../errors';

/**
 * Secrets by key. Resolution order (namespace, its parents, then the tenant)
 * lives in `resolveSecret`, next to this port, so every adapter behaves the same.
 */
export interface SecretStore {
  /** The secret of exactly this scope; `namespace` undefined = tenant level. */
  get(tenantId: string, namespace: string | undefined, key: string): Promise<string | undefined>;
  /** Keys visible at this scope (never values). */
  list(tenantId: string, namespace: string | undefined): Promise<readonly string[]>;
}

/** Namespace first, then each parent namespace, then the tenant. */
export async function resolveSecret(
  store: SecretStore,
  tenantId: string,
  namespace: string,
  key: string,
): Promise<string | undefined> {
  const parts = namespace.split('.');
  for (let i = parts.length; i > 0; i--) {
    const v = await store.get(tenantId, parts.slice(0, i).join('.'), key);
    if (v !== undefined) return v;
  }
  return store.get(tenantId, undefined, key);
}

/** A missing secret: the message names the key and the namespace (never a value), code NOT_FOUND. */
export class SecretNotFoundError extends WindhoverError {
  override readonly name = 'SecretNotFoundError';
  constructor(
    readonly key: string,
    readonly namespace: string,
  ) {
    super('NOT_FOUND', `Secret '${key}' not found in namespace '${namespace}', its parent namespaces or the tenant`, {
      details: { key, namespace },
    });
  }
}

/** `secret()` semantics: resolves like `resolveSecret` and throws SecretNotFoundError when absent. */
export async function requireSecret(store: SecretStore, tenantId: string, namespace: string, key: string): Promise<string> {
  const v = await resolveSecret(store, tenantId, namespace, key);
  if (v === undefined) throw new SecretNotFoundError(key, namespace);
  return v;
}
