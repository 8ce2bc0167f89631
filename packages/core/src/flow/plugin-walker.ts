import type { PluginDescriptor, PluginKind } from '../plugins/plugin';
import type { PluginRegistry } from '../plugins/plugin-registry';
import { COMMON_TASK_PROPERTIES, COMMON_TRIGGER_PROPERTIES } from './flow-schema';
import { SCHEMA_REFS } from './schema-refs';
import type { PathSegment } from './yaml-source';

/** One plugin definition found in a flow: a task, trigger, condition or task runner. */
export interface PluginInstance {
  readonly kind: PluginKind;
  readonly path: readonly PathSegment[];
  readonly value: Record<string, unknown>;
  /** Undefined when the type is missing or unknown. */
  readonly descriptor: PluginDescriptor | undefined;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const REF_KIND: Record<string, { kind: PluginKind; list: boolean }> = {
  [SCHEMA_REFS.task]: { kind: 'task', list: false },
  [SCHEMA_REFS.tasks]: { kind: 'task', list: true },
  [SCHEMA_REFS.trigger]: { kind: 'trigger', list: false },
  [SCHEMA_REFS.condition]: { kind: 'condition', list: false },
  [SCHEMA_REFS.conditions]: { kind: 'condition', list: true },
  [SCHEMA_REFS.taskRunner]: { kind: 'task-runner', list: false },
};

/**
 * The part of a schema that can lead to nested plugins (refs to tasks,
 * conditions, task runners), or undefined when none can: walking only this
 * keeps the walk proportional to the nested plugins, not to every property.
 */
function pluginPaths(schema: unknown): Obj | undefined {
  if (!isObject(schema)) return undefined;
  if (typeof schema.$ref === 'string') return REF_KIND[schema.$ref] ? { $ref: schema.$ref } : undefined;
  const out: Obj = {};
  if (isObject(schema.properties)) {
    const props: Obj = {};
    for (const [k, sub] of Object.entries(schema.properties)) {
      const p = pluginPaths(sub);
      if (p) props[k] = p;
    }
    if (Object.keys(props).length > 0) out.properties = props;
  }
  const items = pluginPaths(schema.items);
  if (items) out.items = items;
  const additional = pluginPaths(schema.additionalProperties);
  if (additional) out.additionalProperties = additional;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const members = Array.isArray(schema[key]) ? (schema[key] as unknown[]).map(pluginPaths).filter((m): m is Obj => m !== undefined) : [];
    if (members.length > 0) out[key] = members;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const prunedByDescriptor = new WeakMap<PluginDescriptor, Obj | null>();

function prunedSchema(descriptor: PluginDescriptor): Obj | null {
  let p = prunedByDescriptor.get(descriptor);
  if (p === undefined) {
    const common = descriptor.kind === 'task' ? COMMON_TASK_PROPERTIES : descriptor.kind === 'trigger' ? COMMON_TRIGGER_PROPERTIES : {};
    p = pluginPaths({ properties: { ...common, ...((descriptor.schema.properties ?? {}) as Obj) } }) ?? null;
    prunedByDescriptor.set(descriptor, p);
  }
  return p;
}

/**
 * Every plugin definition of a flow, parents before children, found by
 * following the plugins' own schemas (so a new flowable task's nested task
 * lists are found without changing this code).
 */
export function findPluginInstances(flow: unknown, registry: PluginRegistry): PluginInstance[] {
  const out: PluginInstance[] = [];
  if (!isObject(flow)) return out;
  const seen = new Set<unknown>();

  const visitInstance = (kind: PluginKind, value: unknown, path: PathSegment[]) => {
    if (!isObject(value) || seen.has(value)) return;
    seen.add(value);
    const descriptor = typeof value.type === 'string' ? registry.get(value.type) : undefined;
    const actualKind = descriptor?.kind ?? kind;
    out.push({ kind: actualKind, path, value, descriptor });
    if (!descriptor) return;
    const pruned = prunedSchema(descriptor);
    if (pruned) walk(pruned, value, path);
  };

  const walk = (schema: unknown, value: unknown, path: PathSegment[]): void => {
    if (!isObject(schema) || value === undefined || value === null) return;
    const ref = typeof schema.$ref === 'string' ? REF_KIND[schema.$ref] : undefined;
    if (ref) {
      if (ref.list && Array.isArray(value)) value.forEach((v, i) => {
        visitInstance(ref.kind, v, [...path, i]);
      });
      else if (!ref.list) visitInstance(ref.kind, value, path);
      return;
    }
    if (isObject(schema.properties) && isObject(value)) {
      for (const [k, sub] of Object.entries(schema.properties)) if (k in value) walk(sub, value[k], [...path, k]);
    }
    if (isObject(schema.items) && Array.isArray(value)) value.forEach((v, i) => {
      walk(schema.items, v, [...path, i]);
    });
    if (isObject(schema.additionalProperties) && isObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(schema.additionalProperties, v, [...path, k]);
    }
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      const members = schema[key];
      if (Array.isArray(members)) for (const m of members) walk(m, value, path);
    }
  };

  for (const key of ['tasks', 'errors', 'finally', 'afterExecution']) {
    const list = flow[key];
    if (Array.isArray(list)) list.forEach((t, i) => {
      visitInstance('task', t, [key, i]);
    });
  }
  if (Array.isArray(flow.triggers)) flow.triggers.forEach((t, i) => {
    visitInstance('trigger', t, ['triggers', i]);
  });
  return out;
}
