import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type JobResult, type JobSpec, jobKeys } from '@windhover/aws';
import type { ScriptLine } from '@windhover/core';
import { ProcessTaskRunner } from '@windhover/tasks';
import { ENV_NAMES, requiredEnv } from '../shared/env';

/** Lines are uploaded in chunks at least this often while a job runs (one S3 PUT per chunk). */
const DEFAULT_FLUSH_MS = 1000;

export interface ContainerJobOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** `jobs/{jobId}/`, given by the runner as an environment variable. */
  readonly jobPrefix: string;
  readonly workRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
  readonly flushMs?: number;
}

/**
 * The Fargate container's job: read the job staged in S3, run it with the
 * Process runner in the container, stream its lines back in small chunks,
 * upload its output files, then write result.json (the runner's signal that
 * the job is over). Returns the job's exit code.
 */
export async function runContainerJob(o: ContainerJobOptions): Promise<number> {
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
  const spec = JSON.parse(new TextDecoder().decode(await body(`${o.jobPrefix}job.json`))) as JobSpec;
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
  const timer = setInterval(() => void flush(), o.flushMs ?? DEFAULT_FLUSH_MS);
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
      (line) => {
        pending.push(line);
        if (pending.length >= 500) void flush();
      },
      o.signal,
    );
    clearInterval(timer);
    await flush();
    await Promise.all([...result.outputFiles].map(([path, data]) => put(keys.output(path), data)));
    const summary: JobResult = { exitCode: result.exitCode, timedOut: result.timedOut, outputs: [...result.outputFiles.keys()] };
    await put(keys.result, JSON.stringify(summary));
    return result.exitCode;
  } finally {
    clearInterval(timer);
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
  };
}

async function main(): Promise<void> {
  const abort = new AbortController();
  // ECS sends SIGTERM on StopTask: stop the job (the Process runner kills its process group).
  process.once('SIGTERM', () => abort.abort());
  process.exitCode = await runContainerJob(containerOptionsFromEnv(process.env, abort.signal));
}

if (process.argv[1]?.endsWith('main.ts') || process.argv[1]?.endsWith('main.mjs')) {
  main().catch((error: unknown) => {
    process.stderr.write(`windhover container failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
