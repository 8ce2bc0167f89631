import type { Metric } from '../model/execution';
import type { LogLevel } from '../model/flow';
import type { JsonValue } from '../model/json';

/**
 * One script run, runner-neutral (core-spec §9.1): the runner stages the
 * input files in a fresh working directory, runs `command`, streams every
 * output line back, and collects the files matching `outputFiles`.
 */
export interface ScriptJob {
  /** Deterministic id (task run id + attempt): a resubmitted job can be matched to a running one. */
  readonly jobId: string;
  /** Absolute working directory where the job runs, from `TaskRunner.paths` (rendered as `{{ workingDir }}`). */
  readonly workingDir: string;
  /** Files written here are collected as outputs (`{{ outputDir }}`). */
  readonly outputDir: string;
  /**
   * True when `workingDir` is a WorkingDirectory's folder shared with the
   * task runs before and after this one: the runner must neither clear nor
   * delete it.
   */
  readonly sharedWorkingDir?: boolean;
  /** argv: interpreter + the joined commands, e.g. ['/bin/sh', '-c', 'set -e\necho hi']. */
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Relative path in the working directory → content. */
  readonly inputFiles: ReadonlyMap<string, Uint8Array>;
  /** Globs relative to the working directory; files in `{{ outputDir }}` are always collected. */
  readonly outputFiles: readonly string[];
  readonly containerImage?: string;
  /** The runner's own properties from the flow (`taskRunner`), e.g. cpu/memory for containers. */
  readonly runnerProperties: Readonly<Record<string, unknown>>;
  readonly timeoutMs?: number;
}

export interface ScriptLine {
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

export interface ScriptJobResult {
  readonly exitCode: number;
  /** Relative path → content of every collected output file. */
  readonly outputFiles: ReadonlyMap<string, Uint8Array>;
  /** True when the job ended because `timeoutMs` elapsed. */
  readonly timedOut: boolean;
  /** Runner-specific outputs (e.g. a container or task id). */
  readonly runnerOutputs?: Readonly<Record<string, JsonValue>>;
}

/**
 * Runs script jobs somewhere: a child process (Process runner, local and
 * Lambda) or a container (Fargate). `signal` aborts the job and the runner
 * must terminate what it started.
 */
export interface TaskRunner {
  readonly type: string;
  /** Where a job will run, known before the run so that commands can be rendered with `{{ workingDir }}`. */
  paths(jobId: string): { readonly workingDir: string; readonly outputDir: string };
  run(job: ScriptJob, onLine: (line: ScriptLine) => void, signal: AbortSignal): Promise<ScriptJobResult>;
}

/** What a script's `::{...}::` lines may carry (Kestra's output protocol). */
export interface ScriptProtocolMessage {
  readonly outputs?: Readonly<Record<string, JsonValue>>;
  readonly metrics?: readonly Metric[];
  readonly logs?: readonly { readonly level: LogLevel; readonly message: string }[];
}
