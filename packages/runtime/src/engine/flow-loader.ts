import type { Flow, FlowWithSource, PluginDefault } from '@windhover/core';
import { FlowNotFoundError } from '@windhover/core';
import type { RuntimePorts } from '../runtime-ports';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(out[k]) && isObj(v) ? merge(out[k] as Obj, v) : v;
  return out;
}

function applyTo(value: unknown, defaults: readonly PluginDefault[]): unknown {
  if (Array.isArray(value)) return value.map((v) => applyTo(v, defaults));
  if (!isObj(value)) return value;
  let out: Obj = {};
  for (const [k, v] of Object.entries(value)) out[k] = applyTo(v, defaults);
  if (typeof out['type'] === 'string' && typeof out['id'] === 'string') {
    const type = out['type'];
    const matching = defaults.filter((d) => type === d.type || type.startsWith(`${d.type}.`) || type.startsWith(d.type));
    for (const d of matching.filter((m) => !m.forced)) out = merge(d.values as Obj, out);
    for (const d of matching.filter((m) => m.forced)) out = merge(out, d.values as Obj);
  }
  return out;
}

/**
 * `pluginDefaults` applied at run time (core-spec §6.7): a default matches
 * a plugin whose type equals it or starts with it; the task's own values
 * win unless the default is `forced`. Nested maps merge.
 */
export function applyPluginDefaults(flow: Flow): Flow {
  const defaults = (flow.pluginDefaults ?? (flow as { taskDefaults?: readonly PluginDefault[] }).taskDefaults ?? []) as readonly PluginDefault[];
  if (defaults.length === 0) return flow;
  const out = { ...flow } as Obj;
  for (const key of ['tasks', 'errors', 'finally', 'afterExecution', 'triggers']) {
    if (flow[key as keyof Flow] !== undefined) out[key] = applyTo(flow[key as keyof Flow], defaults);
  }
  return out as unknown as Flow;
}

/**
 * Flow revisions as the engine runs them: a revision never changes, so each
 * one is loaded once and kept (with plugin defaults applied).
 */
export class FlowLoader {
  readonly #cache = new Map<string, { source: FlowWithSource; effective: Flow }>();

  constructor(private readonly ports: RuntimePorts) {}

  async load(tenantId: string, namespace: string, flowId: string, revision: number): Promise<{ source: FlowWithSource; effective: Flow }> {
    const key = `${tenantId}\u0000${namespace}\u0000${flowId}\u0000${revision}`;
    const hit = this.#cache.get(key);
    if (hit) return hit;
    const source = await this.ports.flows.get(tenantId, namespace, flowId, revision);
    if (!source) throw new FlowNotFoundError(namespace, flowId, revision);
    const entry = { source, effective: applyPluginDefaults(source.flow) };
    if (this.#cache.size > 1000) this.#cache.clear();
    this.#cache.set(key, entry);
    return entry;
  }

  /** The latest revision (concurrency settings are read from it, core-spec §6.2). */
  async latest(tenantId: string, namespace: string, flowId: string): Promise<FlowWithSource | undefined> {
    return this.ports.flows.get(tenantId, namespace, flowId);
  }
}
