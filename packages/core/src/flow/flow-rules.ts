import type { PluginRegistry } from '../plugins/plugin-registry';
import { closeMatches } from './close-matches';
import { cronProblem } from './cron';
import { FLOW_ID_PATTERN, NAMESPACE_PATTERN, TASK_ID_PATTERN } from './flow-schema';
import { VALID_INPUT_TYPES } from './input-schema';
import { isExpression } from './iso-duration';
import type { PluginInstance } from './plugin-walker';
import { formatPath } from './property-path';
import type { PathSegment } from './yaml-source';

/** A problem before it is located in the source. */
export interface RawViolation {
  readonly message: string;
  readonly path: readonly PathSegment[];
  /** Point at the key of the mapping entry rather than its value. */
  readonly key?: boolean;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Flow ids Kestra 1.0 reserves for API paths. */
export const RESERVED_FLOW_IDS = ['pause', 'resume', 'force-run', 'change-status', 'kill', 'executions', 'search', 'source', 'disable', 'enable'];

/** Types Kestra removed, with what to use instead. */
const REMOVED_TYPES: Record<string, string> = {
  'io.kestra.plugin.core.flow.Template': 'templates were removed from Kestra; call a subflow with io.kestra.plugin.core.flow.Subflow instead',
  'io.kestra.core.tasks.flows.Template': 'templates were removed from Kestra; call a subflow with io.kestra.plugin.core.flow.Subflow instead',
  'io.kestra.plugin.core.flow.EachSequential': 'use io.kestra.plugin.core.flow.ForEach instead',
  'io.kestra.plugin.core.flow.EachParallel': 'use io.kestra.plugin.core.flow.ForEach with concurrencyLimit instead',
  'io.kestra.core.tasks.flows.EachSequential': 'use io.kestra.plugin.core.flow.ForEach instead',
  'io.kestra.core.tasks.flows.EachParallel': 'use io.kestra.plugin.core.flow.ForEach with concurrencyLimit instead',
};

const SCHEDULE = 'io.kestra.plugin.core.trigger.Schedule';
const FLOW_ID = new RegExp(FLOW_ID_PATTERN);
const NAMESPACE = new RegExp(NAMESPACE_PATTERN);
const TASK_ID = new RegExp(TASK_ID_PATTERN);
const DAG = 'io.kestra.plugin.core.flow.Dag';
const SUBFLOW = 'io.kestra.plugin.core.flow.Subflow';
const FLOW_TRIGGER = 'io.kestra.plugin.core.trigger.Flow';

/** Why a time zone id is not one the runtime knows (IANA ids such as Europe/Paris, or UTC offsets), or undefined. */
function timeZoneProblem(zone: string): string | undefined {
  // Java's ZoneId also takes fixed offsets: Z, +02:00, UTC+1, GMT-05:30.
  if (/^(?:Z|(?:UTC|GMT|UT)?[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)$/i.test(zone)) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    const matches = closeMatches(zone, known, 3);
    return `unknown time zone \`${zone}\`${matches.length ? ` (did you mean ${matches.map((m) => `\`${m}\``).join(', ')}?)` : ''}`;
  }
}

/** Path of the first string holding a Pebble expression inside a value, or undefined. */
function findExpression(value: unknown, path: PathSegment[]): PathSegment[] | undefined {
  if (typeof value === 'string') return isExpression(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findExpression(value[i], [...path, i]);
      if (p) return p;
    }
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const p = findExpression(v, [...path, k]);
      if (p) return p;
    }
  }
  return undefined;
}

/** Rules a JSON Schema cannot express (core-spec §1.3): ids, reserved names, uniqueness, inputs, cron, types, Dag graphs. */
export function checkFlowRules(
  flow: unknown,
  instances: readonly PluginInstance[],
  registry: PluginRegistry,
  unsupportedType?: (type: string) => string | undefined,
): RawViolation[] {
  const out: RawViolation[] = [];
  if (!isObject(flow)) return out;
  checkIdentity(flow, out);
  checkInputs(flow, out);
  checkUniqueIds(flow.outputs, 'outputs', 'output', out);
  checkPlugins(flow, instances, registry, out, unsupportedType);
  return out;
}

function checkIdentity(flow: Obj, out: RawViolation[]): void {
  const { id, namespace } = flow;
  if (typeof id === 'string') {
    if (id.length > 100) out.push({ path: ['id'], message: `\`id\` is ${id.length} characters long; flow ids are limited to 100 characters` });
    else if (!FLOW_ID.test(id))
      out.push({ path: ['id'], message: `\`id\` "${id}" is invalid: must be letters, digits, \`.\`, \`_\` or \`-\`, starting with a letter or digit` });
    else if (RESERVED_FLOW_IDS.includes(id))
      out.push({ path: ['id'], message: `\`id\` "${id}" is a reserved flow id (reserved: ${RESERVED_FLOW_IDS.join(', ')})` });
  }
  if (typeof namespace === 'string') {
    if (namespace.length > 150) out.push({ path: ['namespace'], message: `\`namespace\` is ${namespace.length} characters long; namespaces are limited to 150 characters` });
    else if (!NAMESPACE.test(namespace))
      out.push({
        path: ['namespace'],
        message: `\`namespace\` "${namespace}" is invalid: must be lowercase letters, digits, \`.\`, \`_\` or \`-\`, starting with a letter or digit (no uppercase, no spaces)`,
      });
  }
}

function checkUniqueIds(list: unknown, key: string, what: string, out: RawViolation[]): void {
  if (!Array.isArray(list)) return;
  const first = new Map<string, number>();
  list.forEach((item, i) => {
    if (!isObject(item) || typeof item.id !== 'string') return;
    const prev = first.get(item.id);
    if (prev === undefined) first.set(item.id, i);
    else out.push({ path: [key, i, 'id'], message: `duplicate ${what} id \`${item.id}\`: ${key}[${i}].id repeats ${key}[${prev}].id` });
  });
}

function checkInputs(flow: Obj, out: RawViolation[]): void {
  const inputs = flow.inputs;
  if (!Array.isArray(inputs)) return;
  checkUniqueIds(inputs, 'inputs', 'input', out);
  inputs.forEach((input, i) => {
    if (!isObject(input)) return;
    const type = input.type;
    if (typeof type === 'string' && !(VALID_INPUT_TYPES as readonly string[]).includes(type)) {
      const message =
        type === 'ENUM'
          ? 'input type `ENUM` is no longer supported by Kestra: use `SELECT` with the same `values`'
          : `invalid input type \`${type}\` (allowed: ${VALID_INPUT_TYPES.join(', ')})`;
      out.push({ path: ['inputs', i, 'type'], message });
    }
    if (input.defaults !== undefined && input.required === false)
      out.push({ path: ['inputs', i, 'defaults'], message: 'an input with `defaults` cannot be `required: false` (use `prefill` for an optional input)' });
    if (input.defaults !== undefined && input.prefill !== undefined)
      out.push({ path: ['inputs', i, 'prefill'], message: '`prefill` and `defaults` cannot be used together' });
    if (input.prefill !== undefined && input.required !== false)
      out.push({ path: ['inputs', i, 'prefill'], message: '`prefill` is only allowed on optional inputs (`required: false`)' });
    if (type === 'ARRAY' && input.itemType === 'ARRAY') out.push({ path: ['inputs', i, 'itemType'], message: 'an ARRAY input cannot have `itemType: ARRAY`' });
    if (type === 'MULTISELECT' && (input.itemType === 'ARRAY' || input.itemType === 'MULTISELECT'))
      out.push({ path: ['inputs', i, 'itemType'], message: `a MULTISELECT input cannot have \`itemType: ${input.itemType}\`` });
  });
}

function checkPlugins(
  flow: Obj,
  instances: readonly PluginInstance[],
  registry: PluginRegistry,
  out: RawViolation[],
  unsupportedType?: (type: string) => string | undefined,
): void {
  const ids = new Map<string, readonly PathSegment[]>();
  for (const inst of instances) {
    const { value, path, kind } = inst;
    const type = value.type;
    if (type !== undefined && typeof type !== 'string') out.push({ path: [...path, 'type'], message: '`type` must be a string (a plugin type such as io.kestra.plugin.core.log.Log)' });
    if (typeof type === 'string' && !inst.descriptor) out.push({ path: [...path, 'type'], message: unsupportedType?.(type) ?? unknownTypeMessage(type, kind, registry) });

    if ((kind === 'task' || kind === 'trigger') && typeof value.id === 'string') {
      const prev = ids.get(value.id);
      if (prev) {
        const what = kind === 'task' ? 'task id' : 'id';
        out.push({
          path: [...path, 'id'],
          message: `duplicate ${what} \`${value.id}\`: ${formatPath([...path, 'id'])} repeats ${formatPath([...prev, 'id'])} (task ids must be unique across the whole flow)`,
        });
      } else ids.set(value.id, path);
      if (!TASK_ID.test(value.id))
        out.push({ path: [...path, 'id'], message: `${kind} id "${value.id}" is invalid: must be letters, digits, \`_\` or \`-\`, starting with a letter or digit` });
    }

    if (inst.descriptor?.type === SCHEDULE && typeof value.timezone === 'string' && !isExpression(value.timezone)) {
      const problem = timeZoneProblem(value.timezone);
      if (problem) out.push({ path: [...path, 'timezone'], message: problem });
    }
    if (inst.descriptor?.type === FLOW_TRIGGER && value.preconditions !== undefined) {
      const expr = findExpression(value.preconditions, [...path, 'preconditions']);
      if (expr) out.push({ path: expr, message: 'preconditions must be declarative: Pebble expressions are not rendered in them' });
    }
    if (inst.descriptor?.type === SCHEDULE && typeof value.cron === 'string' && !isExpression(value.cron)) {
      const problem = cronProblem(value.cron, value.withSeconds === true);
      if (problem) out.push({ path: [...path, 'cron'], message: `invalid cron expression "${value.cron}" (${problem})` });
    }
    if (inst.descriptor?.type === DAG) checkDag(value, path, out);
    if (inst.descriptor?.type === SUBFLOW && value.namespace === flow.namespace && value.flowId === flow.id && typeof flow.id === 'string')
      out.push({ path: [...path, 'flowId'], message: `a flow cannot call itself: this Subflow task executes \`${String(flow.namespace)}.${flow.id}\`` });
  }
}

function unknownTypeMessage(type: string, kind: string, registry: PluginRegistry): string {
  const removed = REMOVED_TYPES[type];
  if (removed) return `type \`${type}\` is no longer supported: ${removed}`;
  const sameKind = registry.names(kind === 'task-runner' ? 'task-runner' : (kind as 'task'));
  const matches = closeMatches(type, sameKind.length > 0 ? sameKind : registry.names());
  const label = kind === 'task-runner' ? 'task runner type' : `${kind} type`;
  return `unknown ${label} \`${type}\`${matches.length ? ` (did you mean ${matches.map((m) => `\`${m}\``).join(', ')}?)` : ''}`;
}

function checkDag(dag: Obj, path: readonly PathSegment[], out: RawViolation[]): void {
  if (!Array.isArray(dag.tasks)) return;
  const deps = new Map<string, string[]>();
  const where = new Map<string, number>();
  dag.tasks.forEach((entry, i) => {
    if (!isObject(entry) || !isObject(entry.task) || typeof entry.task.id !== 'string') return;
    deps.set(entry.task.id, Array.isArray(entry.dependsOn) ? entry.dependsOn.filter((d): d is string => typeof d === 'string') : []);
    where.set(entry.task.id, i);
  });
  for (const [id, list] of deps) {
    list.forEach((dep, j) => {
      if (!deps.has(dep))
        out.push({ path: [...path, 'tasks', where.get(id)!, 'dependsOn', j], message: `Dag task \`${id}\` depends on \`${dep}\`, which is not a task of this Dag` });
    });
  }
  // Depth-first search for a cycle; report it once, on the first task of the cycle.
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) continue;
      if (state.get(dep) === 'visiting') return [...stack.slice(stack.indexOf(dep)), dep];
      if (!state.has(dep)) {
        const cycle = visit(dep);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of deps.keys()) {
    if (state.has(id)) continue;
    const cycle = visit(id);
    if (cycle) {
      out.push({ path: [...path, 'tasks', where.get(cycle[0])!, 'dependsOn'], message: `Dag has a dependency cycle: ${cycle.join(' -> ')}` });
      return;
    }
  }
}
