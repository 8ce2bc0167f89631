import type { JsonValue } from './json';

/**
 * The flow model as Kestra's YAML describes it (core-spec §1). Properties a
 * plugin owns stay untyped here (`[key: string]: unknown`): the plugin's JSON
 * Schema validates them and the plugin narrows them.
 */
export interface Flow {
  readonly id: string;
  readonly namespace: string;
  readonly tenantId?: string;
  readonly revision?: number;
  readonly description?: string;
  readonly labels?: Readonly<Record<string, string>> | readonly Label[];
  readonly inputs?: readonly InputDefinition[];
  readonly variables?: Readonly<Record<string, JsonValue>>;
  readonly tasks: readonly TaskDefinition[];
  readonly errors?: readonly TaskDefinition[];
  readonly finally?: readonly TaskDefinition[];
  readonly afterExecution?: readonly TaskDefinition[];
  readonly triggers?: readonly TriggerDefinition[];
  readonly pluginDefaults?: readonly PluginDefault[];
  readonly concurrency?: ConcurrencyDefinition;
  readonly outputs?: readonly FlowOutputDefinition[];
  readonly retry?: RetryDefinition;
  readonly sla?: readonly Readonly<Record<string, unknown>>[];
  readonly checks?: readonly Readonly<Record<string, unknown>>[];
  readonly disabled?: boolean;
  readonly deleted?: boolean;
  readonly workerGroup?: Readonly<Record<string, unknown>>;
}

export interface Label {
  readonly key: string;
  readonly value: string;
}

/** Properties every task has (core-spec §1.2); plugin properties ride along. */
export interface TaskDefinition {
  readonly id: string;
  readonly type: string;
  readonly description?: string;
  readonly retry?: RetryDefinition;
  readonly timeout?: string;
  readonly runIf?: string;
  readonly disabled?: boolean;
  readonly allowFailure?: boolean;
  readonly allowWarning?: boolean;
  readonly logLevel?: LogLevel;
  readonly logToFile?: boolean;
  readonly workerGroup?: Readonly<Record<string, unknown>>;
  readonly taskCache?: Readonly<Record<string, unknown>>;
  readonly [property: string]: unknown;
}

export interface TriggerDefinition {
  readonly id: string;
  readonly type: string;
  readonly description?: string;
  readonly disabled?: boolean;
  readonly conditions?: readonly Readonly<Record<string, unknown>>[];
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly [property: string]: unknown;
}

export const INPUT_TYPES = [
  'STRING',
  'INT',
  'FLOAT',
  'BOOL',
  'BOOLEAN',
  'DATETIME',
  'DATE',
  'TIME',
  'DURATION',
  'FILE',
  'JSON',
  'YAML',
  'URI',
  'SECRET',
  'ARRAY',
  'SELECT',
  'MULTISELECT',
  'ENUM',
  'EMAIL',
] as const;
export type InputType = (typeof INPUT_TYPES)[number];

export interface InputDefinition {
  readonly id: string;
  readonly type: InputType;
  readonly required?: boolean;
  readonly defaults?: unknown;
  readonly prefill?: unknown;
  readonly displayName?: string;
  readonly description?: string;
  readonly dependsOn?: { readonly inputs?: readonly string[]; readonly condition?: string };
  readonly [property: string]: unknown;
}

export interface PluginDefault {
  readonly type: string;
  readonly forced?: boolean;
  readonly values: Readonly<Record<string, unknown>>;
}

export interface ConcurrencyDefinition {
  readonly limit: number;
  readonly behavior?: 'QUEUE' | 'CANCEL' | 'FAIL';
}

export interface FlowOutputDefinition {
  readonly id: string;
  readonly type?: InputType;
  readonly value: unknown;
  readonly description?: string;
  readonly required?: boolean;
  readonly displayName?: string;
}

export interface RetryDefinition {
  readonly type: 'constant' | 'exponential' | 'random';
  readonly interval?: string;
  readonly maxInterval?: string;
  readonly minInterval?: string;
  readonly delayFactor?: number;
  readonly maxAttempts?: number;
  readonly maxDuration?: string;
  readonly warningOnRetry?: boolean;
  readonly behavior?: 'RETRY_FAILED_TASK' | 'CREATE_NEW_EXECUTION';
}

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** A flow as stored: the parsed model plus the YAML source verbatim (comments included). */
export interface FlowWithSource {
  readonly flow: Flow;
  readonly source: string;
  readonly revision: number;
  readonly tenantId: string;
  readonly updated: string;
  readonly deleted?: boolean;
}
