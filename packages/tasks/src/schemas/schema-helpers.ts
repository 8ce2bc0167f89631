import type { JsonSchema, PluginDescriptor, PluginKind, TaskCategory } from '@windhover/core';
import { SCHEMA_REFS } from '@windhover/core';

/*
 * Small builders for plugin JSON Schemas. Conventions understood by the flow
 * schema builder (core `buildFlowSchema`):
 * - a property whose schema does not accept strings (number, boolean, list,
 *   map, enum) also accepts a Pebble expression string (`{{ ... }}`), as
 *   Kestra's dynamic `Property<T>` does; add `'x-static': true` to opt out;
 * - `$ref`s in SCHEMA_REFS (tasks, conditions, taskRunner, duration, ...)
 *   resolve against the flow schema;
 * - the plugin's `properties` are the complete list: unknown ones are rejected.
 */

type Props = Record<string, JsonSchema>;

const withDoc = (schema: Record<string, unknown>, description?: string, def?: unknown): JsonSchema => ({
  ...schema,
  ...(description ? { description } : {}),
  ...(def !== undefined ? { default: def } : {}),
});

export const str = (description?: string, def?: string): JsonSchema => withDoc({ type: 'string' }, description, def);
export const bool = (description?: string, def?: boolean): JsonSchema => withDoc({ type: 'boolean' }, description, def);
export const int = (description?: string, def?: number, minimum?: number): JsonSchema =>
  withDoc({ type: 'integer', ...(minimum !== undefined ? { minimum } : {}) }, description, def);
export const num = (description?: string, def?: number): JsonSchema => withDoc({ type: 'number' }, description, def);
export const enumOf = (values: readonly string[], description?: string, def?: string): JsonSchema =>
  withDoc({ type: 'string', enum: [...values] }, description, def);
export const strList = (description?: string): JsonSchema => withDoc({ type: 'array', items: { type: 'string' } }, description);
/** A string or a list of strings (Kestra accepts both for globs, messages, ...). */
export const strOrList = (description?: string): JsonSchema =>
  withDoc({ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, description);
export const strMap = (description?: string): JsonSchema =>
  withDoc({ type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } }, description);
/** A free-form map (values of any type). */
export const anyMap = (description?: string): JsonSchema => withDoc({ type: 'object' }, description);
export const anyValue = (description?: string): JsonSchema => withDoc({ $ref: SCHEMA_REFS.any }, description);
export const duration = (description?: string, def?: string): JsonSchema =>
  withDoc({ $ref: SCHEMA_REFS.duration }, description, def);
export const tasks = (description?: string): JsonSchema => withDoc({ $ref: SCHEMA_REFS.tasks }, description);
export const task = (description?: string): JsonSchema => withDoc({ $ref: SCHEMA_REFS.task }, description);
export const conditions = (description?: string): JsonSchema => withDoc({ $ref: SCHEMA_REFS.conditions }, description);
export const taskRunner = (description?: string): JsonSchema => withDoc({ $ref: SCHEMA_REFS.taskRunner }, description);
export const labels = (description?: string): JsonSchema => withDoc({ $ref: SCHEMA_REFS.labels }, description);
export const inputs = (description?: string): JsonSchema => withDoc({ $ref: SCHEMA_REFS.inputs }, description);
/** A nested object with a closed set of properties. */
export const obj = (properties: Props, required: readonly string[] = [], description?: string): JsonSchema =>
  withDoc({ type: 'object', properties, ...(required.length ? { required: [...required] } : {}), additionalProperties: false }, description);

/** Builds a descriptor; `properties` are the plugin's own properties (common ones are added by the flow schema). */
export function descriptor(d: {
  type: string;
  aliases?: readonly string[];
  kind: PluginKind;
  category?: TaskCategory;
  title?: string;
  properties: Props;
  required?: readonly string[];
  /** Extra schema keywords (oneOf, dependentRequired, ...). */
  extra?: Record<string, unknown>;
}): PluginDescriptor {
  return {
    type: d.type,
    ...(d.aliases?.length ? { aliases: d.aliases } : {}),
    kind: d.kind,
    ...(d.category ? { category: d.category } : {}),
    ...(d.title ? { title: d.title } : {}),
    schema: {
      type: 'object',
      properties: d.properties,
      ...(d.required?.length ? { required: [...d.required] } : {}),
      ...(d.extra ?? {}),
    },
  };
}

/** Legacy `io.kestra.core.tasks.<family>.<Name>` alias of `io.kestra.plugin.core.<family>.<Name>`. */
export const legacyCore = (family: string, name: string): string => `io.kestra.core.tasks.${family}.${name}`;

/** `namespaceFiles` block of script tasks and WorkingDirectory (core-spec §4.8). */
export const namespaceFilesSchema = (): JsonSchema =>
  obj(
    {
      enabled: bool('Load namespace files into the working directory (true when the block is set)', true),
      include: strList('Glob patterns of files to include'),
      exclude: strList('Glob patterns of files to exclude'),
      namespaces: strList('Namespaces to load files from, in order (later wins)'),
      ifExists: enumOf(['OVERWRITE', 'FAIL', 'WARN', 'IGNORE'], 'What to do when a file already exists', 'OVERWRITE'),
      folderPerNamespace: bool('Put each namespace files in a folder named after the namespace', false),
    },
    [],
    'Namespace files to materialize in the working directory',
  );

/** `inputFiles`: a map of file name to content or URI, or an expression that renders to such a map. */
export const inputFilesSchema = (): JsonSchema => ({
  description: 'Files to create in the working directory: name -> content or kestra:// / nsfile:// URI',
  anyOf: [{ type: 'object', additionalProperties: { type: 'string' } }, { type: 'string' }],
});
