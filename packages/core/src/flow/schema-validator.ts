import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import type { PluginDescriptor } from '../plugins/plugin';
import { PluginRegistry } from '../plugins/plugin-registry';
import { closeMatches } from './close-matches';
import { buildFlowSchema, COMMON_TASK_PROPERTIES, COMMON_TRIGGER_PROPERTIES, EXPRESSION_PATTERN, pluginBranch } from './flow-schema';
import type { RawViolation } from './flow-rules';
import { explainDuration, isExpression, isIsoDuration } from './iso-duration';
import type { PluginInstance } from './plugin-walker';
import { pointerToPath, valueAt } from './property-path';

/** Each shared definition is its own schema, so ajv compiles it once and every plugin validator reuses it. */
const DEFS_BASE = 'https://windhover.dev/schemas/defs/';
const LOCAL_DEFS = '#/$defs/';

/**
 * Compiling one schema with a branch per plugin takes seconds (ajv generates
 * code for every property of every plugin). Instead the flow is validated in
 * parts: the flow document with shallow task/trigger/condition/runner
 * definitions (the same for every registry, compiled once per process), then
 * each plugin definition with its own validator, compiled the first time its
 * descriptor is seen and reused after, across registries. The shared
 * definitions (durations, inputs, labels, ...) are separate schemas compiled
 * once and referenced by every validator.
 */
interface Shared {
  readonly ajv: Ajv2020;
  readonly root: ValidateFunction;
}

let shared: Shared | undefined;
const pluginValidators = new WeakMap<PluginDescriptor, ValidateFunction>();

/** Points the `#/$defs/...` refs of a schema at the shared definitions document. */
function rewriteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(LOCAL_DEFS) ? DEFS_BASE + v.slice(LOCAL_DEFS.length) : rewriteRefs(v);
  }
  return out;
}

/** The shared definition a `$ref` points at (`#/$defs/task` or its rewritten form), if any. */
function refName(ref: unknown): string | undefined {
  if (typeof ref !== 'string') return undefined;
  if (ref.startsWith(LOCAL_DEFS)) return ref.slice(LOCAL_DEFS.length);
  if (ref.startsWith(DEFS_BASE)) return ref.slice(DEFS_BASE.length);
  return undefined;
}

/** A plugin definition as the flow document sees it: its shape and common properties (also checked when the type is unknown). */
const shallow = (required: string[], description: string, common: Record<string, unknown> = {}) => ({
  description,
  type: 'object',
  required,
  properties: { ...common, type: { type: 'string' } },
});

function sharedValidator(): Shared {
  if (shared) return shared;
  // ajv (about 130 KB) is required when the first flow is validated, not when this module loads:
  // most API requests and every queue consumer never validate one (LAZY_MODULES in lib/windhover-function.ts).
  const { Ajv2020: AjvClass } = createRequire(import.meta.url)('ajv/dist/2020') as typeof import('ajv/dist/2020');
  const ajv = new AjvClass({ allErrors: true, verbose: true, discriminator: true, strict: false, inlineRefs: false });
  ajv.addFormat('kestra-duration', { type: 'string', validate: (s: string) => isExpression(s) || isIsoDuration(s) });
  // The flow document does not depend on the plugins: build it from an empty registry.
  const { $defs, $id: _id, ...rootSchema } = buildFlowSchema(new PluginRegistry()) as Record<string, unknown>;
  const defs = {
    ...($defs as Record<string, unknown>),
    // Plugin definitions are checked one by one (see schemaViolations); here only their shape and common properties.
    task: shallow(['id', 'type'], 'A task', COMMON_TASK_PROPERTIES),
    trigger: shallow(['id', 'type'], 'A trigger', COMMON_TRIGGER_PROPERTIES),
    condition: shallow(['type'], 'A condition'),
    taskRunner: shallow(['type'], 'A task runner'),
  };
  for (const [name, def] of Object.entries(defs)) ajv.addSchema({ ...(rewriteRefs(def) as Record<string, unknown>), $id: DEFS_BASE + name });
  shared = { ajv, root: ajv.compile(rewriteRefs(rootSchema) as Record<string, unknown>) };
  return shared;
}

function pluginValidator(descriptor: PluginDescriptor): ValidateFunction {
  let v = pluginValidators.get(descriptor);
  if (!v) {
    const { ajv } = sharedValidator();
    const schema = rewriteRefs(pluginBranch(descriptor)) as Record<string, unknown>;
    v = ajv.compile(schema);
    // The descriptor-keyed WeakMap holds the function; ajv's own cache would keep every schema forever.
    ajv.removeSchema(schema);
    pluginValidators.set(descriptor, v);
  }
  return v;
}

/** Compiles the flow document validator ahead of time, and the validators of the given plugin types. */
export function warmFlowValidator(registry: PluginRegistry, types: readonly string[] = []): void {
  sharedValidator();
  for (const t of types) {
    const d = registry.get(t);
    if (d) pluginValidator(d);
  }
}

/** Validates a flow value and its plugin definitions, and turns ajv errors into readable violations. */
export function schemaViolations(value: unknown, instances: readonly PluginInstance[]): RawViolation[] {
  const { root } = sharedValidator();
  const out: RawViolation[] = [];
  if (!root(value)) out.push(...mapErrors(root.errors ?? [], value, true));
  for (const inst of instances) {
    if (!inst.descriptor) continue;
    const validate = pluginValidator(inst.descriptor);
    if (validate(inst.value)) continue;
    for (const v of mapErrors(validate.errors ?? [], inst.value, false)) out.push({ ...v, path: [...inst.path, ...v.path] });
  }
  return out;
}

/** Errors of the "or a Pebble expression" branch say nothing useful: the value was not meant as an expression. */
const isExpressionBranch = (e: ErrorObject) => (e.parentSchema as Record<string, unknown> | undefined)?.pattern === EXPRESSION_PATTERN;

function mapErrors(all: readonly ErrorObject[], data: unknown, isFlowRoot: boolean): RawViolation[] {
  // Unknown/missing plugin and input types are reported by the rules, with close matches.
  let errors = all.filter((e) => e.keyword !== 'discriminator' && !isExpressionBranch(e));
  // Resolve anyOf failures deepest first: keep the most specific branch errors.
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const alt of anyOfs) {
    const base = alt.schemaPath.slice(0, -alt.keyword.length);
    const subs = errors.filter((e) => e !== alt && e.schemaPath.startsWith(base + alt.keyword + '/') && e.instancePath.startsWith(alt.instancePath));
    if (subs.length === 0) continue;
    const deepest = Math.max(...subs.map((e) => e.instancePath.length));
    const drop = new Set<ErrorObject>([alt, ...subs.filter((e) => e.instancePath.length < deepest)]);
    // When several branches fail at the same depth, report the first of them only ("must be a list" once, not once per branch).
    const branchOf = (e: ErrorObject) => e.schemaPath.slice(base.length + alt.keyword.length + 1).split('/')[0];
    const atDepth = subs.filter((e) => e.instancePath.length === deepest);
    const firstBranch = atDepth.length > 0 ? branchOf(atDepth[0]) : undefined;
    for (const e of atDepth) if (branchOf(e) !== firstBranch) drop.add(e);
    let merged: ErrorObject | undefined;
    if (atDepth.length > 1 && atDepth.every((e) => e.keyword === 'type' && e.instancePath === alt.instancePath)) {
      // Every branch wants another type here: one message listing them all.
      const types = [...new Set(atDepth.flatMap((e) => [(e.params as { type: unknown }).type].flat()))];
      merged = { ...atDepth[0], params: { type: types }, parentSchema: undefined };
      drop.add(atDepth[0]);
    }
    errors = errors.filter((e) => !drop.has(e));
    if (merged) errors.push(merged);
  }
  // Flow id and namespace get their own messages from the rules.
  errors = errors.filter((e) => !(['/id', '/namespace'].includes(e.instancePath) && ['pattern', 'maxLength', 'minLength'].includes(e.keyword)));
  // Input types get their own message (ENUM, allowed list) from the rules.
  errors = errors.filter((e) => !(e.keyword === 'enum' && /^\/inputs\/\d+\/type$/.test(e.instancePath)));
  // A task id failing the pattern is reported by the rules too.
  errors = errors.filter((e) => !(e.keyword === 'pattern' && /\/id$/.test(e.instancePath) && !e.instancePath.startsWith('/inputs') && !e.instancePath.startsWith('/outputs')));

  const seen = new Set<string>();
  const out: RawViolation[] = [];
  for (const e of errors) {
    const v = toViolation(e, data, isFlowRoot);
    const k = `${v.path.join('/')}|${v.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v);
  }
  return out;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
};

/** How a value looks, for messages: `string "three"`, `a mapping`. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `string "${v.length > 60 ? `${v.slice(0, 57)}...` : v}"`;
  if (typeof v === 'number') return Number.isInteger(v) ? `integer ${v}` : `number ${v}`;
  return `${typeof v} ${String(v)}`;
}

const typeWords = (t: unknown): string => {
  if (!Array.isArray(t)) return TYPE_WORDS[String(t)] ?? String(t);
  // Scalars that Kestra coerces to text read better as "a string value".
  const scalars = ['number', 'integer', 'boolean'];
  const list = t.includes('string') ? ['a string value', ...t.filter((x) => x !== 'string' && !scalars.includes(String(x)))] : t;
  return list.map((x) => TYPE_WORDS[String(x)] ?? String(x)).join(' or ');
};

function toViolation(e: ErrorObject, data: unknown, isFlowRoot: boolean): RawViolation {
  const path = pointerToPath(e.instancePath, data);
  const value = valueAt(data, path);
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  const owner = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>).type : undefined;
  const ownerNote = typeof owner === 'string' && owner.includes('.') ? ` (${owner})` : typeof owner === 'string' ? ` (${owner} input)` : '';
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { path, message: `missing required property \`${missing}\`${isFlowRoot && path.length === 0 ? ' at the flow root' : ''}${ownerNote}` };
    }
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((parent?.properties as object | undefined) ?? {});
      const matches = closeMatches(extra, known, 2);
      const where = isFlowRoot && path.length === 0 ? ' at the flow root' : '';
      return {
        path: [...path, extra],
        key: true,
        message: `unknown property \`${extra}\`${where}${ownerNote}${matches.length ? ` (did you mean ${matches.map((m) => `\`${m}\``).join(' or ')}?)` : ''}`,
      };
    }
    case 'type': {
      const expected = (e.params as { type: unknown }).type;
      const items = parent?.items as Record<string, unknown> | undefined;
      const isTaskList = expected === 'array' && refName(items?.$ref) === 'task';
      const what = isTaskList ? 'a list of tasks' : typeWords(expected);
      return { path, message: `must be ${what}, got ${describeValue(value)}` };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return { path, message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describeValue(value)}` };
    }
    case 'const':
      return { path, message: `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}` };
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = e.params as { comparison: string; limit: number };
      const kind = parent?.type === 'integer' ? 'an integer' : 'a number';
      return { path, message: `is ${String(value)}; it must be ${kind} ${comparison} ${limit}` };
    }
    case 'minItems': {
      const limit = (e.params as { limit: number }).limit;
      return { path, message: limit === 1 ? 'must not be empty' : `must have at least ${limit} items` };
    }
    case 'maxLength':
      return { path, message: `is ${String(value).length} characters long; the maximum is ${(e.params as { limit: number }).limit}` };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'pattern':
      return { path, message: `${describeValue(value)} does not match ${(e.params as { pattern: string }).pattern}` };
    case 'format':
      if ((e.params as { format: string }).format === 'kestra-duration')
        return { path, message: `invalid ISO-8601 duration "${String(value)}" (${explainDuration(String(value))})` };
      return { path, message: `${describeValue(value)} is not a valid ${(e.params as { format: string }).format}` };
    case 'anyOf':
    case 'oneOf': {
      const branches = (e.schema as unknown[] | undefined) ?? [];
      const types = branches
        .map((b) => (b && typeof b === 'object' ? ((b as Record<string, unknown>).type ?? (refName((b as Record<string, unknown>).$ref) === 'expression' ? 'expression' : undefined)) : undefined))
        .filter((t) => t !== undefined)
        .map((t) => (t === 'expression' ? 'an expression' : typeWords(t)));
      return { path, message: `must be ${types.length ? [...new Set(types)].join(' or ') : 'a valid value'}, got ${describeValue(value)}` };
    }
    default:
      return { path, message: e.message ?? `invalid (${e.keyword})` };
  }
}
