import { DescribeTasksCommand, type ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ScriptJob, ScriptJobResult, ScriptLine, TaskRunner } from '@windhover/core';
import type { FargateConfig } from './aws-config';
import { type JobResult, type JobSpec, containerPaths, jobKeys } from './fargate-job';

/** The runner's own type name; the AWS edition also routes Kestra's Docker and AWS Batch runner types here. */
export const FARGATE_RUNNER = 'io.windhover.plugin.aws.runner.Fargate';

export interface EcsFargateTaskRunnerOptions {
  readonly fargate: FargateConfig;
  readonly bucket: string;
  /** Environment variable the container reads its job prefix from. */
  readonly jobPrefixEnv: string;
  /** Working folder inside the container (default `/work`). */
  readonly containerWorkRoot?: string;
  /** How often to look for new lines and the result (default 2 s). */
  readonly pollMs?: number;
  /** Every n-th poll also asks ECS whether the task stopped (crash detection). Default 5. */
  readonly describeEvery?: number;
}

const text = async (s3: S3Client, bucket: string, key: string): Promise<string | undefined> => {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return out.Body ? await out.Body.transformToString('utf8') : '';
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
      return undefined;
    }
    throw e;
  }
};

/**
 * io.kestra.plugin.ee.aws.runner.Batch's serverless cousin: runs a script
 * job as an ECS Fargate task (RunTask). Inputs are staged in S3, the
 * container (functions/fargate/main.ts, the Process runner inside) streams
 * its output lines back through S3 in small chunks, which this runner polls
 * and forwards to the task's logs, and uploads its output files and result.
 * `taskRunner.cpu` / `taskRunner.memory` override the task size.
 */
export class EcsFargateTaskRunner implements TaskRunner {
  readonly type = FARGATE_RUNNER;

  constructor(
    private readonly ecs: ECSClient,
    private readonly s3: S3Client,
    private readonly options: EcsFargateTaskRunnerOptions,
  ) {}

  paths(jobId: string): { workingDir: string; outputDir: string } {
    return containerPaths(this.options.containerWorkRoot ?? '/work', jobId);
  }

  async run(job: ScriptJob, onLine: (line: ScriptLine) => void, signal: AbortSignal): Promise<ScriptJobResult> {
    for (const path of job.inputFiles.keys()) {
      if (path.startsWith('/') || path.split('/').some((s) => s === '..') || path.includes('\\')) {
        throw new Error(`Input file '${path}' must stay inside the working directory`);
      }
    }
    const { bucket, fargate } = this.options;
    const keys = jobKeys(job.jobId);
    const spec: JobSpec = {
      jobId: job.jobId,
      command: job.command,
      env: job.env,
      outputFiles: job.outputFiles,
      ...(job.timeoutMs ? { timeoutMs: job.timeoutMs } : {}),
    };
    await Promise.all(
      [...job.inputFiles].map(([path, data]) =>
        this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: keys.input(path), Body: data, ContentLength: data.byteLength })),
      ),
    );
    // A resubmitted attempt has the same job id: clear what a previous run left behind.
    const leftovers = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: keys.prefix }));
    const stale = (leftovers.Contents ?? []).map((o) => ({ Key: o.Key ?? '' })).filter((o) => !o.Key.startsWith(keys.inputPrefix) && o.Key !== keys.spec);
    if (stale.length > 0) await this.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: stale, Quiet: true } }));
    const specBody = JSON.stringify(spec);
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: keys.spec, Body: specBody, ContentLength: Buffer.byteLength(specBody) }));

    const cpu = job.runnerProperties.cpu;
    const memory = job.runnerProperties.memory;
    const started = await this.ecs.send(
      new RunTaskCommand({
        cluster: fargate.clusterArn,
        taskDefinition: fargate.taskDefinitionArn,
        launchType: 'FARGATE',
        count: 1,
        startedBy: 'windhover',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [...fargate.subnets],
            securityGroups: [...fargate.securityGroups],
            assignPublicIp: fargate.assignPublicIp === false ? 'DISABLED' : 'ENABLED',
          },
        },
        overrides: {
          ...(cpu !== undefined ? { cpu: String(cpu) } : {}),
          ...(memory !== undefined ? { memory: String(memory) } : {}),
          containerOverrides: [{ name: fargate.containerName, environment: [{ name: this.options.jobPrefixEnv, value: keys.prefix }] }],
        },
      }),
    );
    const taskArn = started.tasks?.[0]?.taskArn;
    if (!taskArn) throw new Error(`Fargate RunTask failed: ${started.failures?.map((f) => f.reason).join(', ') || 'no task'}`);

    let seq = 0;
    const drainLines = async (): Promise<void> => {
      const listed = await this.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: keys.linesPrefix, StartAfter: seq > 0 ? keys.lines(seq) : undefined }),
      );
      for (const o of (listed.Contents ?? []).sort((a, b) => ((a.Key ?? '') < (b.Key ?? '') ? -1 : 1))) {
        const body = await text(this.s3, bucket, o.Key ?? '');
        for (const raw of (body ?? '').split('\n')) if (raw) onLine(JSON.parse(raw) as ScriptLine);
        seq = Number((o.Key ?? '').slice(keys.linesPrefix.length, -'.jsonl'.length));
      }
    };

    const pollMs = this.options.pollMs ?? 2000;
    const describeEvery = this.options.describeEvery ?? 5;
    // The container enforces the job's timeout; this guard only catches a container that never reports.
    const deadline = job.timeoutMs ? Date.now() + job.timeoutMs + 120_000 : undefined;
    for (let poll = 1; ; poll++) {
      if (signal.aborted) {
        await this.stop(taskArn, 'cancelled');
        return { exitCode: 137, timedOut: false, outputFiles: new Map(), runnerOutputs: { taskArn } };
      }
      await drainLines();
      const result = await text(this.s3, bucket, keys.result);
      if (result !== undefined) {
        await drainLines();
        const parsed = JSON.parse(result) as JobResult;
        const outputFiles = new Map<string, Uint8Array>();
        await Promise.all(
          parsed.outputs.map(async (path) => {
            const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys.output(path) }));
            outputFiles.set(path, out.Body ? await out.Body.transformToByteArray() : new Uint8Array());
          }),
        );
        return { exitCode: parsed.exitCode, timedOut: parsed.timedOut, outputFiles, runnerOutputs: { taskArn } };
      }
      if (deadline !== undefined && Date.now() > deadline) {
        await this.stop(taskArn, 'timeout');
        return { exitCode: 137, timedOut: true, outputFiles: new Map(), runnerOutputs: { taskArn } };
      }
      if (poll % describeEvery === 0) {
        const described = await this.ecs.send(new DescribeTasksCommand({ cluster: fargate.clusterArn, tasks: [taskArn] }));
        const task = described.tasks?.[0];
        if (task?.lastStatus === 'STOPPED' && (await text(this.s3, bucket, keys.result)) === undefined) {
          await drainLines();
          const exitCode = task.containers?.find((c) => c.name === fargate.containerName)?.exitCode ?? 1;
          onLine({ stream: 'stderr', line: `Fargate task stopped: ${task.stoppedReason ?? 'unknown reason'}` });
          return { exitCode: exitCode === 0 ? 1 : exitCode, timedOut: false, outputFiles: new Map(), runnerOutputs: { taskArn } };
        }
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
    }
  }

  private async stop(taskArn: string, reason: string): Promise<void> {
    await this.ecs.send(new StopTaskCommand({ cluster: this.options.fargate.clusterArn, task: taskArn, reason }));
  }
}
