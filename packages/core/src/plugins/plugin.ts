import type { JsonSchema } from '../model/json';

export type PluginKind = 'task' | 'trigger' | 'condition' | 'task-runner';

/**
 * Kestra's task categories (core-spec §4.0): runnable tasks run on a worker,
 * flowable ones are decided by the executor without I/O, executable ones
 * create child executions, execution-updatable ones change the execution.
 */
export type TaskCategory = 'runnable' | 'flowable' | 'executable' | 'execution-updatable';

/** What every plugin contributes: its type, its aliases and the JSON Schema of its own properties. */
export interface PluginDescriptor {
  /** Canonical Kestra type, e.g. `io.kestra.plugin.core.log.Log`. */
  readonly type: string;
  /** Legacy names that still resolve, e.g. `io.kestra.core.tasks.log.Log`. */
  readonly aliases?: readonly string[];
  readonly kind: PluginKind;
  readonly category?: TaskCategory;
  /**
   * JSON Schema (draft 2020-12) of the plugin's own properties. The flow
   * validator adds the common task/trigger properties (id, type, retry, ...).
   * Property names here are the complete list: unknown properties are rejected.
   */
  readonly schema: JsonSchema;
  readonly title?: string;
  readonly description?: string;
}
