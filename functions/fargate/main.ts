import { chmod, mkdir, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CONTAINER_MODE_ENV,
  type ContainerMode,
  type JobResult,
  type JobSpec,
  containerPaths,
  controlPaths,
  jobKeys,
  jobRoot,
  runScript,
} from '@windhover/aws';
import type { ScriptLine } from '@windhover/core';
import { ProcessTaskRunner, collectFiles } from '@windhover/tasks';
import { ENV_NAMES, requiredEnv } from '../shared/env';

/** Lines are uploaded in chunks at least this often while a job runs (one S3 PUT per chunk). */
const DEFAULT_FLUSH_MS = 1000;
/** How often stage-out looks for new output of the task container. */
const DEFAULT_TAIL_MS = 250;

export interface ContainerJobOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** `jobs/{jobId}/`, given by the runner as an environment variable. */
  readonly jobPrefix: string;
  readonly workRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
  readonly flushMs?: number;
  /** Image tasks only: which side of the job this container does (absent: the whole job). */
  readonly mode?: ContainerMode;
  /** stage-out: how often to look for new output lines (default 250 ms). */
  readonly tailMs?: number;
}

/** S3 access of one container job: the staged spec and inputs, and writes under the job's prefix. */
function jobStore(o: ContainerJobOptions) {
  const body = async (key: string) => {
    const out = await o.s3.send(new GetObjectCommand({ Bucket: o.bucket, Key: key }));
    return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
  };
  const put = (key: string, data: Uint8Array | string) =>
    o.s3.send(
      new PutObjectCommand({
        Bucket: o.bucket,
        Key: key,
        Body: data,
        ContentLength: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength,
      }),
    );
  return {
    put,
    spec: async (): Promise<JobSpec> => JSON.parse(new TextDecoder().decode(await body(`${o.jobPrefix}job.json`))) as JobSpec,
    inputs: async (spec: JobSpec): Promise<Map<string, Uint8Array>> => {
      const keys = jobKeys(spec.jobId);
      const inputFiles = new Map<string, Uint8Array>();
      let token: string | undefined;
      do {
        const page = await o.s3.send(new ListObjectsV2Command({ Bucket: o.bucket, Prefix: keys.inputPrefix, ContinuationToken: token }));
        for (const obj of page.Contents ?? []) {
          if (obj.Key) inputFiles.set(obj.Key.slice(keys.inputPrefix.length), await body(obj.Key));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return inputFiles;
    },
  };
}

/** Output lines, uploaded in chunks (`lines/{seq}.jsonl`) every flush period or every 500 lines. */
function lineUploader(put: (key: string, data: string) => Promise<unknown>, jobId: string, flushMs: number) {
  const keys = jobKeys(jobId);
  let pending: ScriptLine[] = [];
  let seq = 0;
  let flushing: Promise<unknown> = Promise.resolve();
  const flush = () => {
    if (pending.length === 0) return flushing;
    const chunk = pending.map((l) => JSON.stringify(l)).join('\n');
    pending = [];
    const key = keys.lines(++seq);
    flushing = flushing.then(() => put(key, chunk));
    return flushing;
  };
  const timer = setInterval(() => void flush(), flushMs);
  return {
    push(line: ScriptLine) {
      pending.push(line);
      if (pending.length >= 500) void flush();
    },
    /** Stops the timer and uploads what is left. */
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/**
 * The Fargate container's job: read the job staged in S3, run it with the
 * Process runner in the container, stream its lines back in small chunks,
 * upload its output files, then write result.json (the runner's signal that
 * the job is over). Returns the job's exit code.
 */
export async function runContainerJob(o: ContainerJobOptions): Promise<number> {
  const store = jobStore(o);
  const spec = await store.spec();
  const keys = jobKeys(spec.jobId);
  const inputFiles = await store.inputs(spec);
  const lines = lineUploader(store.put, spec.jobId, o.flushMs ?? DEFAULT_FLUSH_MS);
  try {
    const runner = new ProcessTaskRunner({ baseDir: o.workRoot, env: o.env });
    const result = await runner.run(
      {
        jobId: spec.jobId,
        ...runner.paths(spec.jobId),
        command: spec.command,
        env: spec.env,
        inputFiles,
        outputFiles: spec.outputFiles,
        runnerProperties: {},
        ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
      },
      (line) => lines.push(line),
      o.signal,
    );
    await lines.close();
    await Promise.all([...result.outputFiles].map(([path, data]) => store.put(keys.output(path), data)));
    const summary: JobResult = { exitCode: result.exitCode, timedOut: result.timedOut, outputs: [...result.outputFiles.keys()] };
    await store.put(keys.result, JSON.stringify(summary));
    return result.exitCode;
  } finally {
    lines.stop();
  }
}

/** Makes the job's folder usable by whatever user the job's image runs as (stage-in runs as root). */
async function openUp(dir: string): Promise<void> {
  await chmod(dir, 0o777);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) await openUp(full);
    else if (e.isFile()) await chmod(full, (await stat(full)).mode | 0o666);
  }
}

/**
 * Image tasks, first container (worker image): the job's inputs from S3 into
 * its working directory on the shared volume, and the run script the `task`
 * container executes. Exits 0 so that the task container starts.
 */
export async function stageIn(o: ContainerJobOptions): Promise<number> {
  const store = jobStore(o);
  const spec = await store.spec();
  const root = jobRoot(o.workRoot, spec.jobId);
  const { workingDir, outputDir } = containerPaths(o.workRoot, spec.jobId);
  const control = controlPaths(root);
  await rm(root, { recursive: true, force: true });
  for (const dir of [workingDir, outputDir, control.dir]) await mkdir(dir, { recursive: true });
  for (const [name, data] of await store.inputs(spec)) {
    const normalized = posix.normalize(name);
    if (normalized.startsWith('/') || normalized === '..' || normalized.startsWith('../')) throw new Error(`Input file '${name}' must stay inside the working directory`);
    const target = join(workingDir, normalized);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
  }
  await writeFile(control.script, runScript({ workingDir, outputDir, command: spec.command, env: spec.env }));
  await openUp(root);
  return 0;
}

/** Reads the lines appended to a file since the last call (the file may not exist yet). */
function fileTail(path: string, stream: ScriptLine['stream'], onLine: (line: ScriptLine) => void) {
  let offset = 0;
  let partial = '';
  const decoder = new StringDecoder('utf8');
  const emit = (text: string) => {
    partial += text;
    let i = partial.indexOf('\n');
    while (i >= 0) {
      onLine({ stream, line: partial.slice(0, i).replace(/\r$/, '') });
      partial = partial.slice(i + 1);
      i = partial.indexOf('\n');
    }
  };
  return {
    async read(): Promise<void> {
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(path, 'r');
      } catch {
        return;
      }
      try {
        const buffer = Buffer.alloc(64 * 1024);
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          emit(decoder.write(buffer.subarray(0, bytesRead)));
        }
      } finally {
        await handle.close();
      }
    },
    end(): void {
      emit(decoder.end());
      if (partial.length > 0) onLine({ stream, line: partial });
      partial = '';
    },
  };
}

/**
 * Image tasks, last container (worker image, the essential one): streams
 * the `task` container's stdout/stderr files to S3 while it runs, enforces
 * the job's timeout (exiting ends the task, which stops the task container),
 * then uploads the output files and result.json with the command's exit code.
 */
export async function stageOut(o: ContainerJobOptions): Promise<number> {
  const store = jobStore(o);
  const spec = await store.spec();
  const keys = jobKeys(spec.jobId);
  const { workingDir, outputDir } = containerPaths(o.workRoot, spec.jobId);
  const control = controlPaths(jobRoot(o.workRoot, spec.jobId));
  const lines = lineUploader(store.put, spec.jobId, o.flushMs ?? DEFAULT_FLUSH_MS);
  const tails = [fileTail(control.stdout, 'stdout', (l) => lines.push(l)), fileTail(control.stderr, 'stderr', (l) => lines.push(l))];
  const deadline = spec.timeoutMs ? Date.now() + spec.timeoutMs : undefined;
  let exitCode: number | undefined;
  let timedOut = false;
  try {
    while (exitCode === undefined) {
      if (o.signal.aborted) return 143;
      const exited = await readFile(control.exit, 'utf8').catch(() => undefined);
      for (const t of tails) await t.read();
      if (exited !== undefined) {
        const code = Number.parseInt(exited.trim(), 10);
        exitCode = Number.isNaN(code) ? 1 : code;
      } else if (deadline !== undefined && Date.now() >= deadline) {
        timedOut = true;
        exitCode = 137;
      } else {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, o.tailMs ?? DEFAULT_TAIL_MS);
          o.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(t);
              resolve();
            },
            { once: true },
          );
        });
      }
    }
    for (const t of tails) t.end();
    await lines.close();
    await store.put(keys.exited, JSON.stringify({ exitCode }));
    const outputs = await collectFiles(workingDir, outputDir, spec.outputFiles);
    await Promise.all([...outputs].map(([path, data]) => store.put(keys.output(path), data)));
    const summary: JobResult = { exitCode, timedOut, outputs: [...outputs.keys()] };
    await store.put(keys.result, JSON.stringify(summary));
    return exitCode;
  } finally {
    lines.stop();
  }
}

/** What this container does: the whole job (worker image task), or one side of an image task. */
export function runContainer(o: ContainerJobOptions): Promise<number> {
  switch (o.mode) {
    case 'stage-in':
      return stageIn(o);
    case 'stage-out':
      return stageOut(o);
    default:
      return runContainerJob(o);
  }
}

/** The job options of a container from its environment (bucket, job prefix, S3 settings). */
export function containerOptionsFromEnv(env: Readonly<Record<string, string | undefined>>, signal: AbortSignal): ContainerJobOptions {
  return {
    s3: new S3Client({
      region: env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: env[ENV_NAMES.S3_FORCE_PATH_STYLE] === 'true',
      ...(env[ENV_NAMES.S3_CHECKSUM_WHEN_REQUIRED] === 'true'
        ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
        : {}),
    }),
    bucket: requiredEnv(env, ENV_NAMES.BUCKET_NAME),
    jobPrefix: requiredEnv(env, ENV_NAMES.JOB_PREFIX),
    workRoot: env.WINDHOVER_WORK_ROOT ?? '/work',
    env,
    signal,
    ...(env.WINDHOVER_LINE_FLUSH_MS ? { flushMs: Number(env.WINDHOVER_LINE_FLUSH_MS) } : {}),
    ...(env.WINDHOVER_TAIL_MS ? { tailMs: Number(env.WINDHOVER_TAIL_MS) } : {}),
    ...(env[CONTAINER_MODE_ENV] === 'stage-in' || env[CONTAINER_MODE_ENV] === 'stage-out' ? { mode: env[CONTAINER_MODE_ENV] } : {}),
  };
}

async function main(): Promise<void> {
  const abort = new AbortController();
  // ECS sends SIGTERM on StopTask: stop the job (the Process runner kills its process group).
  process.once('SIGTERM', () => abort.abort());
  process.exitCode = await runContainer(containerOptionsFromEnv(process.env, abort.signal));
}

if (process.argv[1]?.endsWith('main.ts') || process.argv[1]?.endsWith('main.mjs')) {
  main().catch((error: unknown) => {
    process.stderr.write(`windhover container failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
