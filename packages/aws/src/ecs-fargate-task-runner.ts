import { createHash } from 'node:crypto';
import {
  type ContainerDefinition,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  type KeyValuePair,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  StopTaskCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ScriptJob, ScriptJobResult, ScriptLine, TaskRunner } from '@windhover/core';
import type { FargateConfig } from './aws-config';
import {
  CONTAINER_MODE_ENV,
  type ContainerMode,
  IMAGE_CONTAINERS,
  JOB_ROOT_ENV,
  type JobResult,
  type JobSpec,
  TASK_WRAPPER,
  containerPaths,
  jobKeys,
  jobRoot,
} from './fargate-job';

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

/** The JSON values of a body's lines; undefined when absent, empty or cut short. */
const parseJsonLines = <T>(body: string | undefined): T[] | undefined => {
  if (!body) return undefined;
  try {
    return body
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as T);
  } catch {
    return undefined;
  }
};

/** Docker label on the `task` container of a derived definition: the hash of everything it was derived from. */
const DEFINITION_LABEL = 'io.windhover.definition';
const SHARED_VOLUME = 'work';
/** The entry point's working root (functions/fargate/main.ts): where the shared volume is mounted. */
const WORK_ROOT_ENV = 'WINDHOVER_WORK_ROOT';

/** Where a job runs: the worker's own task definition, or one derived for the job's image. */
interface Placement {
  readonly taskDefinitionArn: string;
  /** Set when the job runs in its own image (three containers). */
  readonly image?: string;
}

const isMissingDefinition = (e: unknown): boolean =>
  (e as { name?: string }).name === 'ClientException' && /unable to describe|not found|does not exist/i.test((e as Error).message ?? '');

/**
 * The task definition that runs `image` with the worker's staging around it,
 * derived from the worker's definition: same roles, network mode, size,
 * platform and log configuration, one shared ephemeral volume.
 */
export function imageTaskDefinition(
  base: TaskDefinition,
  worker: ContainerDefinition,
  image: string,
  workRoot: string,
): RegisterTaskDefinitionCommandInput & { family: string; containerDefinitions: ContainerDefinition[] } {
  const family = `${base.family}-img-${createHash('sha256').update(image).digest('hex').slice(0, 12)}`;
  const mountPoints = [{ sourceVolume: SHARED_VOLUME, containerPath: workRoot, readOnly: false }];
  const log = worker.logConfiguration ? { logConfiguration: worker.logConfiguration } : {};
  const staging = (name: string, mode: ContainerMode): ContainerDefinition => ({
    name,
    image: worker.image,
    // Root, so stage-in can open the folder to whatever user the job's image runs as, and stage-out read what it wrote.
    user: '0',
    environment: [
      ...(worker.environment ?? []).filter((e) => e.name !== CONTAINER_MODE_ENV && e.name !== WORK_ROOT_ENV),
      { name: WORK_ROOT_ENV, value: workRoot },
      { name: CONTAINER_MODE_ENV, value: mode },
    ],
    mountPoints,
    ...log,
  });
  const containers: ContainerDefinition[] = [
    { ...staging(IMAGE_CONTAINERS.stageIn, 'stage-in'), essential: false },
    {
      name: IMAGE_CONTAINERS.task,
      image,
      // Not essential: stage-out must outlive it to upload the outputs; stage-out's exit ends the task.
      essential: false,
      entryPoint: ['sh', '-c'],
      command: [TASK_WRAPPER],
      // The job gets SIGTERM (forwarded by the wrapper), then SIGKILL after this grace period.
      stopTimeout: 10,
      dependsOn: [{ containerName: IMAGE_CONTAINERS.stageIn, condition: 'SUCCESS' }],
      mountPoints,
      ...log,
    },
    // Runs beside the task (not after it) to stream its output lines while it runs.
    { ...staging(IMAGE_CONTAINERS.stageOut, 'stage-out'), essential: true, dependsOn: [{ containerName: IMAGE_CONTAINERS.stageIn, condition: 'SUCCESS' }] },
  ];
  const input = {
    family,
    ...(base.taskRoleArn ? { taskRoleArn: base.taskRoleArn } : {}),
    ...(base.executionRoleArn ? { executionRoleArn: base.executionRoleArn } : {}),
    ...(base.networkMode ? { networkMode: base.networkMode } : {}),
    requiresCompatibilities: base.requiresCompatibilities ?? ['FARGATE'],
    ...(base.cpu ? { cpu: base.cpu } : {}),
    ...(base.memory ? { memory: base.memory } : {}),
    ...(base.runtimePlatform ? { runtimePlatform: base.runtimePlatform } : {}),
    ...(base.ephemeralStorage ? { ephemeralStorage: base.ephemeralStorage } : {}),
    volumes: [{ name: SHARED_VOLUME }],
    containerDefinitions: containers,
  };
  const fingerprint = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  containers[1] = { ...containers[1], dockerLabels: { [DEFINITION_LABEL]: fingerprint } };
  return input;
}

/**
 * io.kestra.plugin.ee.aws.runner.Batch's serverless cousin: runs a script
 * job as an ECS Fargate task (RunTask). Inputs are staged in S3, the
 * container (functions/fargate/main.ts, the Process runner inside) streams
 * its output lines back through S3 in small chunks, which this runner polls
 * and forwards to the task's logs, and uploads its output files and result.
 * `taskRunner.cpu` / `taskRunner.memory` override the task size.
 *
 * A job whose `containerImage` is not the worker image runs in that image:
 * a task definition derived from the worker's (imageTaskDefinition) is
 * registered once per image, found again by family name by later processes,
 * and run with the staging containers around the user's (see fargate-job).
 */
export class EcsFargateTaskRunner implements TaskRunner {
  readonly type = FARGATE_RUNNER;

  /** The worker's task definition, described once per process. */
  private base?: Promise<{ definition: TaskDefinition; worker: ContainerDefinition }>;
  /** Derived task definition ARN per image, once per process. */
  private readonly images = new Map<string, Promise<string>>();

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

    const placement = await this.placement(job.containerImage);
    const prefixEnv: KeyValuePair[] = [{ name: this.options.jobPrefixEnv, value: keys.prefix }];
    const containerOverrides = placement.image
      ? [
          { name: IMAGE_CONTAINERS.stageIn, environment: prefixEnv },
          { name: IMAGE_CONTAINERS.task, environment: [{ name: JOB_ROOT_ENV, value: jobRoot(this.workRoot, job.jobId) }] },
          { name: IMAGE_CONTAINERS.stageOut, environment: prefixEnv },
        ]
      : [{ name: fargate.containerName, environment: prefixEnv }];
    // The container whose exit code is the job's when the task stops without a result.
    const jobContainer = placement.image ? IMAGE_CONTAINERS.task : fargate.containerName;

    const cpu = job.runnerProperties.cpu;
    const memory = job.runnerProperties.memory;
    const started = await this.ecs.send(
      new RunTaskCommand({
        cluster: fargate.clusterArn,
        taskDefinition: placement.taskDefinitionArn,
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
          containerOverrides,
        },
      }),
    );
    const taskArn = started.tasks?.[0]?.taskArn;
    if (!taskArn) throw new Error(`Fargate RunTask failed: ${started.failures?.map((f) => f.reason).join(', ') || 'no task'}`);
    const runnerOutputs: Record<string, string> = placement.image ? { taskArn, containerImage: placement.image } : { taskArn };

    let seq = 0;
    const drainLines = async (): Promise<void> => {
      const listed = await this.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: keys.linesPrefix, StartAfter: seq > 0 ? keys.lines(seq) : undefined }),
      );
      for (const o of (listed.Contents ?? []).sort((a, b) => ((a.Key ?? '') < (b.Key ?? '') ? -1 : 1))) {
        const chunk = parseJsonLines<ScriptLine>(await text(this.s3, bucket, o.Key ?? ''));
        // Not readable whole yet (only an emulator shows an object while it is being written): next poll.
        if (!chunk) return;
        for (const line of chunk) onLine(line);
        seq = Number((o.Key ?? '').slice(keys.linesPrefix.length, -'.jsonl'.length));
      }
    };

    const pollMs = this.options.pollMs ?? 2000;
    const describeEvery = this.options.describeEvery ?? 5;
    // The container enforces the job's timeout; this guard only catches a container that never reports.
    const deadline = job.timeoutMs ? Date.now() + job.timeoutMs + 120_000 : undefined;
    let jobStoppedSeen = false;
    for (let poll = 1; ; poll++) {
      if (signal.aborted) {
        await this.stop(taskArn, 'cancelled');
        return { exitCode: 137, timedOut: false, outputFiles: new Map(), runnerOutputs };
      }
      await drainLines();
      const parsed = parseJsonLines<JobResult>(await text(this.s3, bucket, keys.result))?.[0];
      if (parsed) {
        await drainLines();
        const outputFiles = new Map<string, Uint8Array>();
        await Promise.all(
          parsed.outputs.map(async (path) => {
            const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys.output(path) }));
            outputFiles.set(path, out.Body ? await out.Body.transformToByteArray() : new Uint8Array());
          }),
        );
        return { exitCode: parsed.exitCode, timedOut: parsed.timedOut, outputFiles, runnerOutputs };
      }
      if (deadline !== undefined && Date.now() > deadline) {
        await this.stop(taskArn, 'timeout');
        return { exitCode: 137, timedOut: true, outputFiles: new Map(), runnerOutputs };
      }
      if (poll % describeEvery === 0) {
        const described = await this.ecs.send(new DescribeTasksCommand({ cluster: fargate.clusterArn, tasks: [taskArn] }));
        const task = described.tasks?.[0];
        const jobState = task?.containers?.find((c) => c.name === jobContainer);
        // An image task whose job container stopped without reporting (e.g. no `sh` in the image) would keep
        // stage-out waiting: give it one more describe period to report, then stop the task.
        const jobGone = placement.image !== undefined && jobState?.lastStatus === 'STOPPED';
        const unreported = jobGone && jobStoppedSeen && (await text(this.s3, bucket, keys.exited)) === undefined;
        if ((task?.lastStatus === 'STOPPED' || unreported) && (await text(this.s3, bucket, keys.result)) === undefined) {
          await drainLines();
          if (task?.lastStatus !== 'STOPPED') await this.stop(taskArn, 'job container stopped without a result');
          const exitCode = jobState?.exitCode ?? 1;
          // What each container that failed says (image pull errors, a failed stage-in, exit codes).
          const details = (task?.containers ?? [])
            .filter((c) => c.reason || (c.exitCode ?? 0) !== 0)
            .map((c) => `${c.name}: ${c.reason ?? `exit ${c.exitCode}`}`);
          const reason =
            task?.lastStatus === 'STOPPED'
              ? `${task.stoppedReason ?? 'unknown reason'}${details.length > 0 ? ` (${details.join('; ')})` : ''}`
              : `container '${jobContainer}' stopped${jobState?.reason ? `: ${jobState.reason}` : ''}`;
          onLine({ stream: 'stderr', line: `Fargate task stopped: ${reason}` });
          return { exitCode: exitCode === 0 ? 1 : exitCode, timedOut: false, outputFiles: new Map(), runnerOutputs };
        }
        jobStoppedSeen = jobGone;
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

  private get workRoot(): string {
    return this.options.containerWorkRoot ?? '/work';
  }

  /** The worker's task definition for jobs without an image or with the worker's; a derived one for any other image. */
  private async placement(image: string | undefined): Promise<Placement> {
    const { fargate } = this.options;
    if (!image) return { taskDefinitionArn: fargate.taskDefinitionArn };
    this.base ??= this.describeBase().catch((e: unknown) => {
      this.base = undefined;
      throw e;
    });
    const base = await this.base;
    if (image === base.worker.image) return { taskDefinitionArn: fargate.taskDefinitionArn };
    let arn = this.images.get(image);
    if (!arn) {
      arn = this.imageDefinitionArn(base.definition, base.worker, image).catch((e: unknown) => {
        this.images.delete(image);
        throw e;
      });
      this.images.set(image, arn);
    }
    return { taskDefinitionArn: await arn, image };
  }

  private async describeBase(): Promise<{ definition: TaskDefinition; worker: ContainerDefinition }> {
    const { fargate } = this.options;
    const out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: fargate.taskDefinitionArn }));
    const definition = out.taskDefinition;
    const worker = definition?.containerDefinitions?.find((c) => c.name === fargate.containerName);
    if (!definition?.family || !worker?.image) {
      throw new Error(`Task definition ${fargate.taskDefinitionArn} has no container '${fargate.containerName}' with an image`);
    }
    return { definition, worker };
  }

  /** The latest revision of the image's family when it was derived from the same inputs, else a newly registered one. */
  private async imageDefinitionArn(base: TaskDefinition, worker: ContainerDefinition, image: string): Promise<string> {
    const wanted = imageTaskDefinition(base, worker, image, this.workRoot);
    const fingerprint = wanted.containerDefinitions[1]?.dockerLabels?.[DEFINITION_LABEL];
    try {
      const found = (await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: wanted.family }))).taskDefinition;
      const label = found?.containerDefinitions?.find((c) => c.name === IMAGE_CONTAINERS.task)?.dockerLabels?.[DEFINITION_LABEL];
      if (found?.taskDefinitionArn && found.status === 'ACTIVE' && label === fingerprint) return found.taskDefinitionArn;
    } catch (e) {
      if (!isMissingDefinition(e)) throw e;
    }
    const registered = await this.ecs.send(new RegisterTaskDefinitionCommand(wanted));
    const arn = registered.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new Error(`RegisterTaskDefinition of ${wanted.family} returned no ARN`);
    return arn;
  }

  private async stop(taskArn: string, reason: string): Promise<void> {
    await this.ecs.send(new StopTaskCommand({ cluster: this.options.fargate.clusterArn, task: taskArn, reason }));
  }
}
