import {
  BadRequestError,
  type Clock,
  type JsonValue,
  type KvEntry,
  type KvStore,
  type KvType,
  NotFoundError,
  type TaskKv,
  TaskFailure,
  assertValidKvKey,
  assertValidNamespace,
  coerceKvValue,
  kvExpirationDate,
  namespaceLineage,
} from '@windhover/core';

export interface KvWriteOptions {
  /** ISO-8601 duration; absent = no expiry. */
  readonly ttl?: string;
  readonly description?: string;
  /** false: fail with ALREADY_EXISTS when a live entry exists (atomic). Default true. */
  readonly overwrite?: boolean;
}

/**
 * The KV store as the API, tasks and `kv()` use it: validates namespaces
 * and keys, types values, turns a TTL into an expiration date from the
 * injected clock, and keeps the creation date of a replaced entry. Expiry is
 * exact: every read passes the clock's `now` to the store.
 */
export class KvService {
  constructor(
    private readonly store: KvStore,
    private readonly clock: Clock,
  ) {}

  /** The live entry; NotFoundError naming the key and namespace when absent or expired. */
  async get(tenantId: string, namespace: string, key: string): Promise<KvEntry> {
    const e = await this.find(tenantId, namespace, key);
    if (!e) throw new NotFoundError('KV pair', `${namespace}:${key}`);
    return e;
  }

  async find(tenantId: string, namespace: string, key: string): Promise<KvEntry | undefined> {
    assertValidNamespace(namespace);
    assertValidKvKey(key);
    const e = await this.store.get(tenantId, namespace, key, this.clock.now());
    return e ? { ...e, namespace } : undefined;
  }

  /**
   * `kv()` lookup: an explicit namespace is exact; without one, the flow's
   * namespace then its parents, nearest first (Kestra 1.x KvFunction).
   */
  async lookup(tenantId: string, flowNamespace: string, key: string, explicitNamespace?: string): Promise<KvEntry | undefined> {
    if (explicitNamespace !== undefined) return this.find(tenantId, explicitNamespace, key);
    for (const ns of namespaceLineage(assertValidNamespace(flowNamespace))) {
      const e = await this.find(tenantId, ns, key);
      if (e) return e;
    }
    return undefined;
  }

  /** Creates or replaces an entry with an already typed value. */
  async put(
    tenantId: string,
    namespace: string,
    key: string,
    typed: { readonly type: KvType; readonly value: JsonValue },
    options: KvWriteOptions = {},
  ): Promise<KvEntry> {
    assertValidNamespace(namespace);
    assertValidKvKey(key);
    const now = this.clock.now();
    const expirationDate = kvExpirationDate(now, options.ttl);
    const existing = await this.store.get(tenantId, namespace, key, now);
    const entry: KvEntry = {
      key,
      type: typed.type,
      value: typed.value,
      creationDate: existing?.creationDate ?? now.toISOString(),
      updateDate: now.toISOString(),
      ...(expirationDate ? { expirationDate } : {}),
      ...(options.description !== undefined ? { description: options.description } : {}),
    };
    await this.store.put(tenantId, namespace, entry, { onlyIfAbsent: options.overwrite === false });
    return { ...entry, namespace };
  }

  /** Whether a live entry was deleted. */
  async delete(tenantId: string, namespace: string, key: string): Promise<boolean> {
    assertValidNamespace(namespace);
    assertValidKvKey(key);
    return this.store.delete(tenantId, namespace, key, this.clock.now());
  }

  /** Deletes several keys (all validated first); returns those that existed. */
  async deleteMany(tenantId: string, namespace: string, keys: readonly string[]): Promise<string[]> {
    assertValidNamespace(namespace);
    keys.forEach(assertValidKvKey);
    const deleted: string[] = [];
    for (const key of keys) if (await this.store.delete(tenantId, namespace, key, this.clock.now())) deleted.push(key);
    return deleted;
  }

  /** Live entries of a namespace, or of the whole tenant when `namespace` is undefined. */
  async list(tenantId: string, namespace?: string): Promise<readonly KvEntry[]> {
    if (namespace !== undefined) assertValidNamespace(namespace);
    const entries = await this.store.list(tenantId, namespace, this.clock.now());
    return namespace === undefined ? entries : entries.map((e) => ({ ...e, namespace }));
  }

  /**
   * Entries inherited from parent namespaces (Kestra's `kv/inheritance`):
   * nearest parent wins, keys defined in the namespace itself are left out.
   */
  async inherited(tenantId: string, namespace: string): Promise<KvEntry[]> {
    const [self, ...parents] = namespaceLineage(assertValidNamespace(namespace));
    const seen = new Set((await this.list(tenantId, self)).map((e) => e.key));
    const out: KvEntry[] = [];
    for (const ns of parents) {
      for (const e of await this.list(tenantId, ns)) {
        if (seen.has(e.key)) continue;
        seen.add(e.key);
        out.push(e);
      }
    }
    return out;
  }

  /** The KV store as a task sees it (ctx.kv) for one tenant and flow namespace. */
  forTasks(tenantId: string, flowNamespace: string): TaskKv {
    return {
      get: (key, namespace) => this.find(tenantId, namespace ?? flowNamespace, key),
      set: async (key, value, options = {}) => {
        const namespace = options.namespace ?? flowNamespace;
        try {
          await this.put(tenantId, namespace, key, coerceKvValue(options.type, value), {
            ...(options.ttl !== undefined ? { ttl: options.ttl } : {}),
            ...(options.overwrite !== undefined ? { overwrite: options.overwrite } : {}),
          });
        } catch (e) {
          if ((e as { code?: string }).code === 'ALREADY_EXISTS') {
            throw TaskFailure.nonRetryable(`Cannot set value for key '${key}' in namespace '${namespace}': the key already exists and \`overwrite\` is false`);
          }
          if (e instanceof BadRequestError) throw TaskFailure.nonRetryable(e.message);
          throw e;
        }
      },
      delete: (key, namespace) => this.delete(tenantId, namespace ?? flowNamespace, key),
      list: (namespace) => this.list(tenantId, namespace ?? flowNamespace),
    };
  }
}
