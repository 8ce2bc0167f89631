import type { JsonSchema } from '../model/json';
import { STATE_TYPES } from '../model/state';
import type { PluginDescriptor, PluginKind } from '../plugins/plugin';
import type { PluginRegistry } from '../plugins/plugin-registry';
import { INPUT_ID_PATTERN, inputDef, VALID_INPUT_TYPES } from './input-schema';
import { bool, closed, list, ref, type Schema, str } from './schema-builders';

export const FLOW_SCHEMA_ID = 'https://windhover.dev/schemas/flow.schema.json';
export const FLOW_ID_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9._-]*$';
export const NAMESPACE_PATTERN = '^[a-z0-9][a-z0-9._-]*$';
export const TASK_ID_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9_-]*$';
/** A string holding a Pebble expression. */
export const EXPRESSION_PATTERN = '\\{\\{[\\s\\S]*\\}\\}|\\{%[\\s\\S]*%\\}';
const OUTPUT_TYPES = [...VALID_INPUT_TYPES, 'ENUM'];
const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

const workerGroup = closed({ key: str('Worker group key'), fallback: { type: 'string', enum: ['WAIT', 'FAIL', 'CANCEL'] } }, [], 'Worker group (Enterprise)');

/** Properties every task has (core-spec §1.2). */
export const COMMON_TASK_PROPERTIES: Record<string, Schema> = {
  id: { type: 'string', pattern: TASK_ID_PATTERN, description: 'Task id, unique in the flow' },
  description: str('Markdown description'),
  retry: ref('retry'),
  timeout: { ...ref('duration'), description: 'Maximum duration of one attempt' },
  runIf: { type: ['string', 'boolean'], description: 'The task runs only when this is truthy' },
  disabled: bool('Skip the task', false),
  workerGroup,
  allowFailure: bool('A failure ends the task in WARNING and the flow continues', false),
  allowWarning: bool('A WARNING counts as SUCCESS', false),
  logLevel: { type: 'string', enum: LOG_LEVELS, description: 'Minimum level of logs kept' },
  logToFile: bool('Store logs in a file in internal storage', false),
  taskCache: closed({ enabled: bool('Cache task outputs', false), ttl: ref('duration') }, [], 'Task cache'),
  version: str('Plugin version'),
};

/** Properties every trigger has (core-spec §5.1). */
export const COMMON_TRIGGER_PROPERTIES: Record<string, Schema> = {
  id: { type: 'string', pattern: TASK_ID_PATTERN, description: 'Trigger id, unique in the flow' },
  description: str('Markdown description'),
  disabled: bool('Ignore this trigger', false),
  conditions: ref('conditions'),
  inputs: { type: 'object', description: 'Inputs of the executions created' },
  labels: ref('labels'),
  stopAfter: list({ type: 'string', enum: [...STATE_TYPES] }, 'Disable the trigger after an execution ends in one of these states'),
  allowConcurrent: bool('Allow concurrent executions from this trigger', false),
  failOnTriggerError: bool('Create a FAILED execution when evaluating the trigger fails', false),
  logToFile: bool('Store logs in a file', false),
  logLevel: { type: 'string', enum: LOG_LEVELS },
  minLogLevel: { type: 'string', enum: LOG_LEVELS },
  workerGroup,
  version: str('Plugin version'),
};

/** Properties every plugin of a kind has, added to its own by the flow schema. */
export const COMMON_BY_KIND: Record<PluginKind, Record<string, Schema>> = {
  task: COMMON_TASK_PROPERTIES,
  trigger: COMMON_TRIGGER_PROPERTIES,
  condition: {},
  'task-runner': { version: str('Plugin version') },
};

/**
 * Adapts a plugin property schema to how Kestra reads properties: a Pebble
 * expression is accepted wherever a non-string value is (dynamic properties),
 * and a number or boolean wherever a plain string is (scalar coercion).
 */
export function dynamic(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const s = { ...(schema as Schema) };
  if (s['x-static'] === true) {
    delete s['x-static'];
    return s;
  }
  if (typeof s.$ref === 'string') return s;
  if (s.properties && typeof s.properties === 'object') {
    s.properties = Object.fromEntries(Object.entries(s.properties as Schema).map(([k, v]) => [k, dynamic(v)]));
  }
  if (s.items && typeof s.items === 'object') s.items = dynamic(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') s.additionalProperties = dynamic(s.additionalProperties);
  if (Array.isArray(s.anyOf)) s.anyOf = s.anyOf.map(dynamic);
  // Jackson coerces scalars into strings (`message: 42`, `branch: 2024`), so Kestra accepts them for a plain string property.
  if (s.type === 'string' && !s.enum && s.const === undefined && !s.pattern && !s.format) s.type = ['string', 'number', 'boolean'];
  if (acceptsAnyString(s)) return s;
  const { description, default: def, title, ...rest } = s;
  return {
    ...(title !== undefined ? { title } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(def !== undefined ? { default: def } : {}),
    anyOf: [rest, ref('expression')],
  };
}

function acceptsAnyString(s: Schema): boolean {
  if (Array.isArray(s.anyOf)) return s.anyOf.some((x) => x !== null && typeof x === 'object' && acceptsAnyString(x as Schema));
  if (s.enum || s.const !== undefined || s.pattern || s.format) return false;
  const t = s.type;
  if (t === undefined) return true;
  return t === 'string' || (Array.isArray(t) && t.includes('string'));
}

/** The JSON Schema of one plugin as a branch of its kind's `oneOf`: common properties + its own, closed. */
export function pluginBranch(p: PluginDescriptor): Schema {
  const own = (p.schema ?? {}) as Schema;
  const ownProps = (own.properties ?? {}) as Record<string, unknown>;
  const { properties: _p, required: _r, type: _t, additionalProperties: _a, $schema: _s, ...extra } = own;
  const names = [p.type, ...(p.aliases ?? [])];
  return {
    type: 'object',
    ...(p.title ? { title: p.title } : {}),
    ...(p.description ? { description: p.description } : {}),
    properties: {
      type: names.length === 1 ? { const: p.type } : { enum: names },
      ...COMMON_BY_KIND[p.kind],
      ...Object.fromEntries(Object.entries(ownProps).map(([k, v]) => [k, dynamic(v)])),
    },
    required: [...new Set([...(p.kind === 'task' || p.kind === 'trigger' ? ['id'] : []), 'type', ...((own.required as string[]) ?? [])])],
    additionalProperties: false,
    ...extra,
  };
}

function kindDef(registry: PluginRegistry, kind: PluginKind, description: string): Schema {
  const plugins = registry.list(kind);
  return {
    description,
    type: 'object',
    required: kind === 'task' || kind === 'trigger' ? ['id', 'type'] : ['type'],
    properties: { type: { type: 'string', description: 'Plugin type' } },
    ...(plugins.length > 0 ? { discriminator: { propertyName: 'type' }, oneOf: plugins.map(pluginBranch) } : {}),
  };
}

const retryDef = closed(
  {
    type: { type: 'string', enum: ['constant', 'exponential', 'random'], description: 'Retry policy' },
    interval: ref('duration'),
    maxInterval: ref('duration'),
    minInterval: ref('duration'),
    delayFactor: { type: 'number', description: 'Exponential factor', default: 2 },
    maxAttempts: { type: 'integer', minimum: 1, description: 'Total attempts, including the first' },
    maxAttempt: { type: 'integer', minimum: 1, description: 'Deprecated alias of maxAttempts' },
    maxDuration: ref('duration'),
    warningOnRetry: bool('End in WARNING when a retry happened', false),
    behavior: { type: 'string', enum: ['RETRY_FAILED_TASK', 'CREATE_NEW_EXECUTION'], default: 'RETRY_FAILED_TASK' },
  },
  ['type'],
  'Retry policy',
);

const pluginDefaultDef = closed(
  {
    type: str('Plugin type, or a package prefix of plugin types'),
    forced: bool('Override the values set on the plugin', false),
    values: { type: 'object', description: 'Default property values' },
  },
  ['type'],
);

/**
 * The flow JSON Schema (draft 2020-12) for a registry: every top-level
 * property of a Kestra flow, inputs, and one branch per registered task,
 * trigger, condition and task runner type (selected by `type`). Unknown
 * properties are rejected everywhere a property list is known.
 */
export function buildFlowSchema(registry: PluginRegistry): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: FLOW_SCHEMA_ID,
    title: 'Kestra flow (Windhover)',
    description: 'A Kestra flow as Windhover validates it.',
    type: 'object',
    required: ['id', 'namespace', 'tasks'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', pattern: FLOW_ID_PATTERN, minLength: 1, maxLength: 100, description: 'Flow id, unique in its namespace' },
      namespace: { type: 'string', pattern: NAMESPACE_PATTERN, minLength: 1, maxLength: 150, description: 'Namespace (lowercase, dot-separated)' },
      revision: { type: 'integer', minimum: 1, description: 'Managed by the server' },
      tenantId: str('Managed by the server'),
      description: str('Markdown description'),
      labels: ref('labels'),
      inputs: ref('inputs'),
      variables: { type: 'object', description: 'Constants available as {{ vars.name }}' },
      tasks: { ...ref('tasks'), minItems: 1, description: 'Tasks run in order' },
      errors: { ...ref('tasks'), description: 'Tasks run when the execution fails' },
      finally: { ...ref('tasks'), description: 'Tasks always run at the end' },
      afterExecution: { ...ref('tasks'), description: 'Tasks run after the execution ended' },
      triggers: list(ref('trigger'), 'Triggers'),
      pluginDefaults: list(pluginDefaultDef, 'Default property values per plugin type'),
      taskDefaults: list(pluginDefaultDef, 'Deprecated alias of pluginDefaults'),
      concurrency: closed(
        {
          limit: { type: 'integer', minimum: 1, description: 'Maximum running executions' },
          behavior: { type: 'string', enum: ['QUEUE', 'CANCEL', 'FAIL'], default: 'QUEUE' },
        },
        ['limit'],
        'Flow concurrency',
      ),
      outputs: list(
        closed(
          {
            id: { type: 'string', pattern: INPUT_ID_PATTERN },
            type: { type: 'string', enum: OUTPUT_TYPES },
            value: { description: 'Value (rendered at the end of the execution)' },
            description: str(),
            displayName: str(),
            required: bool('The output must have a value', true),
          },
          ['id', 'value'],
        ),
        'Flow outputs',
      ),
      retry: retryDef,
      sla: list(
        closed(
          {
            id: str(),
            type: { type: 'string', enum: ['MAX_DURATION', 'EXECUTION_ASSERTION'] },
            behavior: { type: 'string', enum: ['FAIL', 'CANCEL', 'NONE'] },
            labels: ref('labels'),
            duration: ref('duration'),
            assert: str('Expression that must stay true'),
          },
          ['id', 'type', 'behavior'],
        ),
        'Service level agreements',
      ),
      checks: list(
        closed(
          {
            condition: str('Expression that must be true'),
            message: str(),
            style: { type: 'string', enum: ['ERROR', 'SUCCESS', 'WARNING', 'INFO'], default: 'INFO' },
            behavior: { type: 'string', enum: ['BLOCK_EXECUTION', 'FAIL_EXECUTION', 'CREATE_EXECUTION'], default: 'BLOCK_EXECUTION' },
          },
          ['condition', 'message'],
        ),
        'Checks evaluated before creating an execution',
      ),
      disabled: bool('No trigger fires and executions fail', false),
      deleted: bool('Managed by the server', false),
      workerGroup,
    },
    $defs: {
      task: kindDef(registry, 'task', 'A task'),
      tasks: list(ref('task'), 'A list of tasks'),
      trigger: kindDef(registry, 'trigger', 'A trigger'),
      condition: kindDef(registry, 'condition', 'A condition'),
      conditions: list(ref('condition'), 'Conditions'),
      taskRunner: kindDef(registry, 'task-runner', 'A task runner'),
      duration: { type: 'string', format: 'kestra-duration', description: 'ISO-8601 duration (PT5M, P1DT2H) or an expression' },
      expression: { type: 'string', pattern: EXPRESSION_PATTERN, description: 'A Pebble expression' },
      input: inputDef(),
      inputs: list(ref('input'), 'Inputs'),
      labels: {
        description: 'Labels: a map or a list of {key, value}',
        anyOf: [
          { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
          list(closed({ key: str(), value: { type: ['string', 'number', 'boolean'] } }, ['key', 'value'])),
          ref('expression'),
        ],
      },
      retry: retryDef,
      any: {},
    },
  };
}
