import type { PluginDefault } from '../model/flow';

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `type` applies to `pluginType` when equal, or when it is a package prefix of it (`io.kestra.plugin.git` matches `io.kestra.plugin.git.SyncFlows`). */
export function pluginDefaultMatches(defaultType: string, pluginType: string): boolean {
  if (defaultType === pluginType) return true;
  const prefix = defaultType.endsWith('.') ? defaultType : `${defaultType}.`;
  return pluginType.startsWith(prefix);
}

/** Deep merge where `high` wins; nested maps are merged, lists and scalars replaced. */
function deepMerge(low: Obj, high: Obj): Obj {
  const out: Obj = { ...low };
  for (const [k, v] of Object.entries(high)) {
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  }
  return out;
}

/** Specificity of a default's type: exact matches beat longer prefixes beat shorter ones. */
const specificity = (d: PluginDefault, type: string): number => (d.type === type ? Number.MAX_SAFE_INTEGER : d.type.length);

/**
 * Applies plugin defaults to one plugin definition (a task, trigger, condition
 * or task runner), as Kestra does (core-spec §6.7). Precedence, highest first:
 * forced defaults (flow-level over global), the plugin's own properties,
 * flow-level defaults, global defaults. Within one level, an exact type match
 * beats a longer prefix, which beats a shorter one. Pure: returns a new object
 * and never mutates its inputs.
 *
 * `aliases` lets a default written for an alias (or the canonical name) apply
 * to the same plugin. `filter` keeps only the default properties it accepts
 * (the validator keeps the ones the plugin's schema declares).
 *
 * @example
 * applyPluginDefaults({ id: 'a', type: 'io.kestra.plugin.core.log.Log', message: 'hi' },
 *   [{ type: 'io.kestra.plugin.core.log', values: { level: 'WARN' } }])
 * // → { id: 'a', type: '...Log', message: 'hi', level: 'WARN' }
 */
export function applyPluginDefaults<T extends { readonly type: string }>(
  plugin: T,
  flowDefaults: readonly PluginDefault[] = [],
  globalDefaults: readonly PluginDefault[] = [],
  options: { aliases?: readonly string[]; filter?: (property: string) => boolean } = {},
): T & Readonly<Record<string, unknown>> {
  const names = [plugin.type, ...(options.aliases ?? [])];
  const matching = (defaults: readonly PluginDefault[]) =>
    defaults
      .filter((d) => typeof d?.type === 'string' && names.some((n) => pluginDefaultMatches(d.type, n)))
      .sort((a, b) => Math.min(...names.map((n) => specificity(a, n))) - Math.min(...names.map((n) => specificity(b, n))));
  const flow = matching(flowDefaults);
  const global = matching(globalDefaults);
  if (flow.length === 0 && global.length === 0) return plugin;

  const valuesOf = (list: PluginDefault[], forced: boolean): Obj =>
    list.filter((d) => Boolean(d.forced) === forced).reduce<Obj>((acc, d) => deepMerge(acc, pick(d.values, options.filter)), {});

  // Lowest precedence first, each merge lets the next layer win.
  let merged: Obj = valuesOf(global, false);
  merged = deepMerge(merged, valuesOf(flow, false));
  merged = deepMerge(merged, plugin as unknown as Obj);
  merged = deepMerge(merged, valuesOf(global, true));
  merged = deepMerge(merged, valuesOf(flow, true));
  // Identity is never defaulted.
  merged.type = plugin.type;
  if ('id' in (plugin as object)) merged.id = (plugin as unknown as Obj).id;
  return merged as unknown as T & Readonly<Record<string, unknown>>;
}

function pick(values: unknown, filter?: (property: string) => boolean): Obj {
  if (!isObject(values)) return {};
  if (!filter) return values;
  return Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'type' && k !== 'id' && filter(k)));
}
