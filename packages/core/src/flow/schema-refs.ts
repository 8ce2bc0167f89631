/**
 * `$ref`s a plugin schema may use to point at the shared definitions of the
 * flow JSON Schema (built by `buildFlowSchema`). Plugin schemas are inlined
 * into the flow schema's `$defs`, so these refs resolve against its root.
 */
export const SCHEMA_REFS = {
  /** One task of any registered type. */
  task: '#/$defs/task',
  /** A list of tasks (validated recursively). */
  tasks: '#/$defs/tasks',
  trigger: '#/$defs/trigger',
  condition: '#/$defs/condition',
  /** A list of conditions. */
  conditions: '#/$defs/conditions',
  /** A `taskRunner` block: `{type: <runner type>, ...}`. */
  taskRunner: '#/$defs/taskRunner',
  /** ISO-8601 duration (`PT5M`, `P1DT2H`) or a Pebble expression. */
  duration: '#/$defs/duration',
  /** A string holding a Pebble expression (`{{ ... }}` or `{% ... %}`). */
  expression: '#/$defs/expression',
  /** An input definition (flow inputs, Pause `onResume`). */
  input: '#/$defs/input',
  inputs: '#/$defs/inputs',
  /** Labels: a map `{key: value}` or a list `[{key, value}]`. */
  labels: '#/$defs/labels',
  retry: '#/$defs/retry',
  /** Any JSON-like value. */
  any: '#/$defs/any',
} as const;

export type SchemaRefName = keyof typeof SCHEMA_REFS;
