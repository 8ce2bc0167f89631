import type { JsonValue, KvType, RunContext, RunnableTaskPlugin, TaskDefinition } from '@windhover/core';
import {
  TaskFailure,
  assertValidKvKey,
  assertValidNamespace,
  coerceKvValue,
  isKvType,
  kvExpirationDate,
} from '@windhover/core';
import { descriptorOf } from '../core/descriptor';
import { KV_DESCRIPTORS } from '../schemas/kv';

const P = 'io.kestra.plugin.core.kv';

/** Runs a validation and turns its BadRequestError into a non-retryable task failure with the same message. */
function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw TaskFailure.nonRetryable((e as Error).message);
  }
}

async function renderBool(task: TaskDefinition, ctx: RunContext, name: string, fallback: boolean): Promise<boolean> {
  const raw = task[name];
  if (raw === undefined || raw === null) return fallback;
  const v = await ctx.render(raw);
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw TaskFailure.nonRetryable(`'${name}' must be a boolean, got ${JSON.stringify(v)}`);
}

async function keyAndNamespace(task: TaskDefinition, ctx: RunContext): Promise<{ key: string; namespace: string }> {
  const key = await ctx.renderString(task['key']);
  const namespace = task['namespace'] === undefined ? ctx.namespace : await ctx.renderString(task['namespace']);
  checked(() => assertValidKvKey(key));
  checked(() => assertValidNamespace(namespace));
  return { key, namespace };
}

/**
 * kv.Set: stores the rendered `value` under `key`, typed by `kvType` (or by
 * its own kind), with an optional `ttl`; `overwrite: false` fails when a
 * live value exists.
 */
export const KvSet: RunnableTaskPlugin = {
  ...descriptorOf(KV_DESCRIPTORS, `${P}.Set`),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    const { key, namespace } = await keyAndNamespace(task, ctx);
    if (task['value'] === undefined) throw TaskFailure.nonRetryable("'value' is required");
    const value = await ctx.render(task['value']);
    const kvTypeRaw = task['kvType'] === undefined || task['kvType'] === null ? undefined : await ctx.renderString(task['kvType']);
    if (kvTypeRaw !== undefined && !isKvType(kvTypeRaw)) throw TaskFailure.nonRetryable(`Unknown kvType '${kvTypeRaw}'`);
    const typed = checked(() => coerceKvValue(kvTypeRaw as KvType | undefined, value));
    const ttl = task['ttl'] === undefined || task['ttl'] === null ? undefined : await ctx.renderString(task['ttl']);
    checked(() => kvExpirationDate(ctx.now(), ttl));
    const overwrite = await renderBool(task, ctx, 'overwrite', true);
    try {
      await ctx.kv.set(key, typed.value, { namespace, type: typed.type, ...(ttl ? { ttl } : {}), overwrite });
    } catch (e) {
      if (e instanceof TaskFailure) throw e;
      const message = (e as Error).message;
      if ((e as { code?: string }).code === 'ALREADY_EXISTS' || /already exists/i.test(message)) {
        throw TaskFailure.nonRetryable(`Cannot set value for key '${key}' in namespace '${namespace}': the key already exists and \`overwrite\` is false`);
      }
      throw e;
    }
    return {};
  },
};

/** kv.Get: output `value` (typed); a missing key is null unless `errorOnMissing`. */
export const KvGet: RunnableTaskPlugin = {
  ...descriptorOf(KV_DESCRIPTORS, `${P}.Get`),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    const { key, namespace } = await keyAndNamespace(task, ctx);
    const errorOnMissing = await renderBool(task, ctx, 'errorOnMissing', false);
    const entry = await ctx.kv.get(key, namespace);
    if (!entry && errorOnMissing) {
      throw TaskFailure.nonRetryable(`No value found for key '${key}' in namespace '${namespace}' and \`errorOnMissing\` is true`);
    }
    return { outputs: { value: entry ? entry.value : null } };
  },
};

/** kv.Delete: output `deleted`; a missing key fails only with `errorOnMissing`. */
export const KvDelete: RunnableTaskPlugin = {
  ...descriptorOf(KV_DESCRIPTORS, `${P}.Delete`),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    const { key, namespace } = await keyAndNamespace(task, ctx);
    const errorOnMissing = await renderBool(task, ctx, 'errorOnMissing', false);
    const deleted = await ctx.kv.delete(key, namespace);
    if (!deleted && errorOnMissing) {
      throw TaskFailure.nonRetryable(`No value found for key '${key}' in namespace '${namespace}' and \`errorOnMissing\` is true`);
    }
    return { outputs: { deleted } };
  },
};

/** kv.GetKeys: output `keys`, the live keys of the namespace starting with `prefix` (sorted; empty list when none). */
export const KvGetKeys: RunnableTaskPlugin = {
  ...descriptorOf(KV_DESCRIPTORS, `${P}.GetKeys`),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    const namespace = task['namespace'] === undefined ? ctx.namespace : await ctx.renderString(task['namespace']);
    checked(() => assertValidNamespace(namespace));
    const prefix = task['prefix'] === undefined || task['prefix'] === null ? '' : await ctx.renderString(task['prefix']);
    const keys: JsonValue[] = (await ctx.kv.list(namespace))
      .map((e) => e.key)
      .filter((k) => k.startsWith(prefix))
      .sort();
    return { outputs: { keys } };
  },
};

export const KV_TASKS: readonly RunnableTaskPlugin[] = [KvSet, KvGet, KvDelete, KvGetKeys];
