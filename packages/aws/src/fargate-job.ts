/**
 * The contract between the Fargate task runner (in the worker function) and
 * the container entry point (functions/fargate/main.ts): everything a job
 * needs and produces is staged in S3 under `jobs/{jobId}/`.
 *
 *   job.json            the ScriptJob without its input files (JobSpec)
 *   input/{path}        each input file
 *   lines/{seq:8}.jsonl output lines, appended in chunks while the job runs
 *   outputs/{path}      each collected output file
 *   result.json         written last: exit code, timeout flag, output paths
 */
export interface JobSpec {
  readonly jobId: string;
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly outputFiles: readonly string[];
  readonly timeoutMs?: number;
}

export interface JobResult {
  readonly exitCode: number;
  readonly timedOut: boolean;
  readonly outputs: readonly string[];
}

export const jobKeys = (jobId: string) => {
  const prefix = `jobs/${safeJobId(jobId)}/`;
  return {
    prefix,
    spec: `${prefix}job.json`,
    input: (path: string) => `${prefix}input/${path}`,
    inputPrefix: `${prefix}input/`,
    lines: (seq: number) => `${prefix}lines/${String(seq).padStart(8, '0')}.jsonl`,
    linesPrefix: `${prefix}lines/`,
    output: (path: string) => `${prefix}outputs/${path}`,
    outputPrefix: `${prefix}outputs/`,
    result: `${prefix}result.json`,
  };
};

/** Job ids become S3 key segments and folder names: keep them to a safe alphabet. */
export const safeJobId = (jobId: string): string => jobId.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Where a job runs inside the container; the same layout as the Process
 * runner (`{base}/{jobId}/work` and `/outputs`), which the container uses.
 */
export const containerPaths = (baseDir: string, jobId: string) => {
  const root = `${baseDir.replace(/\/+$/, '')}/${safeJobId(jobId)}`;
  return { workingDir: `${root}/work`, outputDir: `${root}/outputs` };
};
