/**
 * The contract between the Fargate task runner (in the worker function) and
 * the container entry point (functions/fargate/main.ts): everything a job
 * needs and produces is staged in S3 under `jobs/{jobId}/`.
 *
 *   job.json            the ScriptJob without its input files (JobSpec)
 *   input/{path}        each input file
 *   lines/{seq:8}.jsonl output lines, appended in chunks while the job runs
 *   outputs/{path}      each collected output file
 *   exited.json         image tasks only: the command has exited, stage-out is uploading
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
    /** Image tasks: written by stage-out when the job's command has exited (before the outputs are uploaded). */
    exited: `${prefix}exited.json`,
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

/** A job's own folder (the parent of its working and output directories). */
export const jobRoot = (baseDir: string, jobId: string): string => `${baseDir.replace(/\/+$/, '')}/${safeJobId(jobId)}`;

/**
 * A job whose `containerImage` is not the worker image runs as a task of
 * three containers sharing one ephemeral volume (Kestra's AWS Batch runner
 * layout): `stage-in` (worker image) downloads the inputs and writes the
 * job's run script, `task` (the user's image) runs it with its output
 * redirected to files on the volume, and `stage-out` (worker image, the
 * task's only essential container) streams those files to S3 while the task
 * runs, then uploads the output files and result.json.
 */
export const IMAGE_CONTAINERS = { stageIn: 'stage-in', task: 'task', stageOut: 'stage-out' } as const;

/** Set on the worker-image containers of an image task: which part of the job they do (absent: all of it). */
export const CONTAINER_MODE_ENV = 'WINDHOVER_CONTAINER_MODE';
export type ContainerMode = 'stage-in' | 'stage-out';

/** Set on the `task` container at RunTask: the job's folder on the shared volume. */
export const JOB_ROOT_ENV = 'WINDHOVER_JOB_ROOT';

/** Files the three containers exchange on the shared volume, under `{jobRoot}/.windhover/`. */
export const controlPaths = (root: string) => {
  const dir = `${root}/.windhover`;
  return { dir, script: `${dir}/run.sh`, stdout: `${dir}/stdout`, stderr: `${dir}/stderr`, exit: `${dir}/exit` };
};

/**
 * The `task` container's command (run with `sh -c`, its entry point
 * overridden like Kestra's Docker runner): the run script with stdout and
 * stderr into files, then the exit code, written atomically so that the
 * stage-out container never reads half of it. The shell is the container's
 * PID 1, which ignores signals it has no handler for: it forwards ECS's
 * SIGTERM (StopTask, stage-out's exit on timeout) to the job.
 */
export const TASK_WRAPPER = [
  `c="$${JOB_ROOT_ENV}/.windhover"`,
  `unset ${JOB_ROOT_ENV}`,
  'sh "$c/run.sh" >"$c/stdout" 2>"$c/stderr" </dev/null & p=$!',
  // A trapped signal interrupts `wait` (status 128+n): wait again for the job's own status.
  `trap 'kill -TERM $p 2>/dev/null; t=1' TERM INT`,
  't=1',
  'while [ -n "$t" ]; do t=; wait $p; s=$?; done',
  'echo $s >"$c/exit.tmp"',
  'mv "$c/exit.tmp" "$c/exit"',
].join('; ');

const shellQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * The run script stage-in writes for the `task` container: POSIX sh only (the
 * user's image may have nothing else), into the working directory, the job's
 * environment plus WORKING_DIR / OUTPUT_DIR, then exec of the job's argv.
 * Python's output is unbuffered by default (it goes to a file, and lines must
 * stream while the job runs); the job's env may override that.
 */
export function runScript(job: { readonly workingDir: string; readonly outputDir: string; readonly command: readonly string[]; readonly env: Readonly<Record<string, string>> }): string {
  const lines = [`cd ${shellQuote(job.workingDir)} || exit 1`, 'export PYTHONUNBUFFERED=1'];
  for (const [name, value] of Object.entries(job.env)) {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) lines.push(`export ${name}=${shellQuote(value)}`);
    else lines.push(`echo ${shellQuote(`windhover: env variable '${name}' skipped: not a valid shell name`)} >&2`);
  }
  lines.push(`export WORKING_DIR=${shellQuote(job.workingDir)} OUTPUT_DIR=${shellQuote(job.outputDir)}`);
  lines.push(`exec ${job.command.map(shellQuote).join(' ')}`);
  return `${lines.join('\n')}\n`;
}
