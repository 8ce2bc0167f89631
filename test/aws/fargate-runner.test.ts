import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { EcsFargateTaskRunner, TASK_WRAPPER } from '@windhover/aws';
import type { AwsClients } from '@windhover/aws';
import type { ScriptJob, ScriptLine, TaskRunner } from '@windhover/core';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_NAMES } from '../../functions/shared/env-names';
import { describeTaskRunnerContract } from '../contracts/task-runner.contract';
import type { FakeContainerProcess, FakeContainerStart } from './support/aws-json-fake';
import { type AwsEmulators, destroyAwsClients, emulatorClients, startAwsEmulators } from './support/emulators';

let emulators: AwsEmulators;
let clients: AwsClients;
const workRoot = mkdtempSync(join(tmpdir(), 'wh-fargate-'));
const running = new Set<ChildProcess>();
const pool: ChildProcess[] = [];
const WORKER_REPOSITORY = '000000000000.dkr.ecr.us-east-1.amazonaws.com/cdk-hnb659fds-container-assets';
const WORKER_IMAGE = `${WORKER_REPOSITORY}:worker`;
const fargate = {
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/windhover',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/windhover-worker:1',
  containerName: 'worker',
  subnets: ['subnet-1'],
  securityGroups: ['sg-1'],
};
/** The worker's task definition as CDK deploys it (lib/workers.ts), registered in the fake ECS. */
const workerDefinition = {
  family: 'windhover-worker',
  taskRoleArn: 'arn:aws:iam::000000000000:role/windhover-task',
  executionRoleArn: 'arn:aws:iam::000000000000:role/windhover-execution',
  networkMode: 'awsvpc' as const,
  requiresCompatibilities: ['FARGATE' as const],
  cpu: '1024',
  memory: '2048',
  runtimePlatform: { cpuArchitecture: 'ARM64' as const, operatingSystemFamily: 'LINUX' as const },
  containerDefinitions: [
    {
      name: 'worker',
      image: WORKER_IMAGE,
      essential: true,
      environment: [{ name: ENV_NAMES.BUCKET_NAME, value: 'windhover' }],
      logConfiguration: { logDriver: 'awslogs' as const, options: { 'awslogs-group': 'windhover-tasks', 'awslogs-stream-prefix': 'task', 'awslogs-region': 'us-east-1' } },
    },
  ],
};
const imageFamily = (image: string) => `windhover-worker-img-${createHash('sha256').update(image).digest('hex').slice(0, 12)}`;

const containerBundle = join(workRoot, 'image', 'main.mjs');

/** A warm worker-image container: the bundled entry point, loaded, waiting for its environment on stdin. */
const spawnHost = () =>
  pool.push(
    spawn(process.execPath, [join(import.meta.dirname, 'support', 'container-host.mjs'), containerBundle], {
      cwd: workRoot,
      env: {
        ...process.env,
        [ENV_NAMES.S3_FORCE_PATH_STYLE]: 'true',
        [ENV_NAMES.S3_CHECKSUM_WHEN_REQUIRED]: 'true',
        WINDHOVER_WORK_ROOT: workRoot,
        WINDHOVER_LINE_FLUSH_MS: '50',
        WINDHOVER_TAIL_MS: '50',
      },
      stdio: ['pipe', 'inherit', 'inherit'],
    }),
  );

const watch = (child: ChildProcess, stop: () => void): FakeContainerProcess => {
  running.add(child);
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? (signal === 'SIGKILL' ? 137 : 143));
    }),
  );
  return { exited, stop };
};

/**
 * What the fake ECS starts for a container. The worker image (any tag) is the real
 * entry point (whole job, stage-in or stage-out); any other image is not
 * pulled (no Docker here): its entry point and command run as a local process
 * in the shared folder with only the container's environment, which is what
 * the task container does in its image. An image tagged `no-shell` stands for
 * an image without `sh`: the container exits 127 at once, running nothing;
 * a job id containing `stage-in-fails` makes its stage-in exit 1 at once, as
 * when it cannot read the job from S3.
 */
function startContainer(c: FakeContainerStart): FakeContainerProcess {
  if (c.name === 'stage-in' && String(c.environment[ENV_NAMES.JOB_PREFIX]).includes('stage-in-fails')) {
    return { exited: Promise.resolve(1), stop: () => {} };
  }
  if (c.image.startsWith(`${WORKER_REPOSITORY}:`)) {
    const child = pool.shift() as ChildProcess;
    spawnHost();
    child.stdin?.end(`${JSON.stringify(c.environment)}\n`);
    return watch(child, () => child.kill('SIGTERM'));
  }
  if (c.image.endsWith(':no-shell')) return { exited: Promise.resolve(127), stop: () => {} };
  const [file, ...args] = [...(c.entryPoint ?? []), ...(c.command ?? [])];
  const child = spawn(file ?? 'false', args, { cwd: workRoot, env: { PATH: process.env.PATH, ...c.environment }, detached: true, stdio: 'ignore' });
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  // The entry point is the container's PID 1: when it exits, everything else in the container goes too.
  child.once('exit', killGroup);
  // ECS's stop: SIGTERM to PID 1, SIGKILL to all after the stop timeout.
  return watch(child, () => {
    child.kill('SIGTERM');
    setTimeout(killGroup, 500).unref();
  });
}

beforeAll(async () => {
  // Bundled once like the image's entry point, so a "container" starts in a fraction of a second.
  await build({
    entryPoints: [join(import.meta.dirname, '..', '..', 'functions', 'fargate', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: containerBundle,
    banner: { js: "import { createRequire as __wh_cr } from 'node:module'; const require = __wh_cr(import.meta.url);" },
    logLevel: 'silent',
  });
  emulators = await startAwsEmulators({ dynamo: false });
  clients = emulatorClients();
  const registered = await clients.ecs.send(new RegisterTaskDefinitionCommand(workerDefinition));
  expect(registered.taskDefinition?.taskDefinitionArn).toBe(fargate.taskDefinitionArn);
  // An image task takes two worker-image containers (stage-in, stage-out): keep three warm.
  for (let i = 0; i < 3; i++) spawnHost();
  emulators.fake.onStartContainer = startContainer;
});

afterAll(async () => {
  for (const c of [...running, ...pool]) c.kill('SIGKILL');
  destroyAwsClients(clients);
  await emulators.stop();
});

const runner = (taskDefinitionArn = fargate.taskDefinitionArn) =>
  new EcsFargateTaskRunner(clients.ecs, clients.s3, {
    fargate: { ...fargate, taskDefinitionArn },
    bucket: 'windhover',
    jobPrefixEnv: ENV_NAMES.JOB_PREFIX,
    containerWorkRoot: workRoot,
    pollMs: 100,
    describeEvery: 3,
  });

/** The runner, with every job asking for `image` (what a flow's `containerImage` does). */
const withImage = (r: EcsFargateTaskRunner, image: string): TaskRunner => ({
  type: r.type,
  paths: (jobId) => r.paths(jobId),
  run: (job, onLine, signal) => r.run({ ...job, containerImage: image }, onLine, signal),
});

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);
let seq = 0;
const imageJob = (r: EcsFargateTaskRunner, image: string, command: string, extra: Partial<ScriptJob> = {}): ScriptJob => {
  const jobId = `image-${process.pid}-${seq++}`;
  return { jobId, ...r.paths(jobId), command: ['/bin/sh', '-c', command], env: {}, inputFiles: new Map(), outputFiles: [], runnerProperties: {}, containerImage: image, ...extra };
};
const run = async (r: TaskRunner, job: ScriptJob) => {
  const lines: (ScriptLine & { at: number })[] = [];
  const result = await r.run(job, (l) => lines.push({ ...l, at: Date.now() }), new AbortController().signal);
  return { result, lines, endedAt: Date.now() };
};
const registrations = (family: string) => emulators.fake.taskDefinitions.filter((d) => d.family === family);
const containersOf = (taskArn: unknown) => emulators.fake.startedContainers.filter((c) => c.taskArn === taskArn);

describeTaskRunnerContract('EcsFargateTaskRunner (RunTask on the ECS fake, the container entry as a process)', runner);

describe('EcsFargateTaskRunner', () => {
  it('starts the task on the configured cluster, subnets and size, and names the task in its outputs', async () => {
    const r = runner();
    const lines: ScriptLine[] = [];
    const result = await r.run(
      {
        jobId: 'size-check',
        ...r.paths('size-check'),
        command: ['/bin/sh', '-c', 'echo ok'],
        env: {},
        inputFiles: new Map(),
        outputFiles: [],
        runnerProperties: { cpu: 2048, memory: 4096 },
      },
      (l) => lines.push(l),
      new AbortController().signal,
    );
    expect(result.exitCode).toBe(0);
    expect(lines).toEqual([{ stream: 'stdout', line: 'ok' }]);
    expect(String(result.runnerOutputs?.taskArn)).toMatch(/^arn:aws:ecs:/);
    expect(emulators.fake.runTaskRequests.at(-1)).toMatchObject({
      cluster: fargate.clusterArn,
      taskDefinition: fargate.taskDefinitionArn,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'ENABLED' } },
      overrides: { cpu: '2048', memory: '4096', containerOverrides: [{ name: 'worker', environment: [{ name: ENV_NAMES.JOB_PREFIX, value: 'jobs/size-check/' }] }] },
    });
    expect(containersOf(result.runnerOutputs?.taskArn).map((c) => [c.name, c.image])).toEqual([['worker', WORKER_IMAGE]]);
  });

  it("runs a job whose containerImage is the worker's own image in the worker task, registering nothing", async () => {
    const r = runner();
    const before = emulators.fake.taskDefinitions.length;
    const { result, lines } = await run(r, imageJob(r, WORKER_IMAGE, 'echo same image'));
    expect(result.exitCode).toBe(0);
    expect(lines.map((l) => l.line)).toEqual(['same image']);
    expect(emulators.fake.runTaskRequests.at(-1)?.taskDefinition).toBe(fargate.taskDefinitionArn);
    expect(containersOf(result.runnerOutputs?.taskArn).map((c) => [c.name, c.image])).toEqual([['worker', WORKER_IMAGE]]);
    expect(emulators.fake.taskDefinitions).toHaveLength(before);
  });
});

describeTaskRunnerContract('EcsFargateTaskRunner with a containerImage (stage-in, the image running the command, stage-out)', () =>
  withImage(runner(), 'alpine:3.20'),
);

describe('EcsFargateTaskRunner with a containerImage', () => {
  it("registers one task definition per image, derived from the worker's, and reuses it in this and later processes", async () => {
    const image = 'python:3.11-slim';
    const first = runner();
    const one = await run(first, imageJob(first, image, 'echo one'));
    const two = await run(first, imageJob(first, image, 'echo two'));
    expect([one.result.exitCode, two.result.exitCode]).toEqual([0, 0]);
    expect([...one.lines, ...two.lines].map((l) => l.line)).toEqual(['one', 'two']);
    expect(registrations(imageFamily(image))).toHaveLength(1);
    // A new process (another Lambda) finds the family with DescribeTaskDefinition instead of registering again.
    const later = runner();
    const three = await run(later, imageJob(later, image, 'echo three'));
    expect(three.lines.map((l) => l.line)).toEqual(['three']);
    expect(registrations(imageFamily(image))).toHaveLength(1);
    const [definition] = registrations(imageFamily(image));
    expect(emulators.fake.runTaskRequests.at(-1)?.taskDefinition).toBe(definition?.taskDefinitionArn);
    expect(String(definition?.taskDefinitionArn)).toMatch(/:task-definition\/windhover-worker-img-[0-9a-f]{12}:1$/);
    // Another image, another definition.
    const pydata = 'ghcr.io/kestra-io/pydata:latest';
    const four = await run(later, imageJob(later, pydata, 'echo four'));
    expect(four.result.exitCode).toBe(0);
    expect(registrations(imageFamily(pydata))).toHaveLength(1);
    expect(containersOf(four.result.runnerOutputs?.taskArn).find((c) => c.name === 'task')?.image).toBe(pydata);

    const log = workerDefinition.containerDefinitions[0]?.logConfiguration;
    const mountPoints = [{ sourceVolume: 'work', containerPath: workRoot, readOnly: false }];
    expect(definition).toMatchObject({
      taskRoleArn: workerDefinition.taskRoleArn,
      executionRoleArn: workerDefinition.executionRoleArn,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '1024',
      memory: '2048',
      runtimePlatform: workerDefinition.runtimePlatform,
      volumes: [{ name: 'work' }],
      containerDefinitions: [
        {
          name: 'stage-in',
          image: WORKER_IMAGE,
          essential: false,
          user: '0',
          environment: [
            { name: ENV_NAMES.BUCKET_NAME, value: 'windhover' },
            { name: 'WINDHOVER_WORK_ROOT', value: workRoot },
            { name: 'WINDHOVER_CONTAINER_MODE', value: 'stage-in' },
          ],
          mountPoints,
          logConfiguration: log,
        },
        {
          name: 'task',
          image,
          essential: false,
          entryPoint: ['sh', '-c'],
          command: [TASK_WRAPPER],
          dependsOn: [{ containerName: 'stage-in', condition: 'SUCCESS' }],
          mountPoints,
          logConfiguration: log,
        },
        {
          name: 'stage-out',
          image: WORKER_IMAGE,
          essential: true,
          user: '0',
          environment: [
            { name: ENV_NAMES.BUCKET_NAME, value: 'windhover' },
            { name: 'WINDHOVER_WORK_ROOT', value: workRoot },
            { name: 'WINDHOVER_CONTAINER_MODE', value: 'stage-out' },
          ],
          dependsOn: [{ containerName: 'stage-in', condition: 'SUCCESS' }],
          mountPoints,
          logConfiguration: log,
        },
      ],
    });
    // Each task asked ECS for the worker image around the job's image, stage-in first.
    for (const { result } of [one, two, three]) {
      const started = containersOf(result.runnerOutputs?.taskArn);
      expect(started.map((c) => c.name)[0]).toBe('stage-in');
      expect(Object.fromEntries(started.map((c) => [c.name, c.image]))).toEqual({ 'stage-in': WORKER_IMAGE, task: image, 'stage-out': WORKER_IMAGE });
      expect(result.runnerOutputs).toMatchObject({ containerImage: image });
    }
  });

  it("runs the commands in the image's container with sh -c in the working directory, streams lines while it runs, and returns the outputs", async () => {
    const r = runner();
    const job = imageJob(
      r,
      'ghcr.io/kestra-io/pydata:latest',
      'echo "first $GREETING"; cat data/in.txt; pwd; sleep 2; echo late >&2; mkdir -p out; echo rows > out/r.csv; echo x > "$OUTPUT_DIR/o.txt"',
      { env: { GREETING: "it's me" }, inputFiles: new Map([['data/in.txt', enc('input line\n')]]), outputFiles: ['out/*.csv'] },
    );
    const { result, lines, endedAt } = await run(r, job);
    expect(result.exitCode).toBe(0);
    expect(result.timedOut).toBe(false);
    expect(lines.map(({ stream, line }) => ({ stream, line }))).toEqual([
      { stream: 'stdout', line: "first it's me" },
      { stream: 'stdout', line: 'input line' },
      { stream: 'stdout', line: job.workingDir },
      { stream: 'stderr', line: 'late' },
    ]);
    // The first line reached the runner while the command was still sleeping.
    expect(endedAt - (lines[0]?.at ?? endedAt)).toBeGreaterThan(1000);
    expect([...result.outputFiles.keys()].sort()).toEqual(['o.txt', 'out/r.csv']);
    expect(dec(result.outputFiles.get('out/r.csv'))).toBe('rows\n');
    const task = containersOf(result.runnerOutputs?.taskArn).find((c) => c.name === 'task');
    expect(task).toMatchObject({ entryPoint: ['sh', '-c'], command: [TASK_WRAPPER], environment: { WINDHOVER_JOB_ROOT: join(job.workingDir, '..') } });
  });

  it("fails with the command's exit code and streams its error output", async () => {
    const r = runner();
    const { result, lines } = await run(r, imageJob(r, 'python:3.11-slim', 'echo partial; echo "boom" >&2; exit 7'));
    expect(result.exitCode).toBe(7);
    expect(result.timedOut).toBe(false);
    expect(lines.map(({ stream, line }) => ({ stream, line }))).toEqual([
      { stream: 'stdout', line: 'partial' },
      { stream: 'stderr', line: 'boom' },
    ]);
  });

  it("forwards ECS's SIGTERM to the job when the timeout ends the task, and the job's exit is still recorded", async () => {
    const r = runner();
    const job = imageJob(r, 'alpine:3.20', 'trap "exit 42" TERM; echo started; sleep 30 & wait', { timeoutMs: 700 });
    const { result, lines } = await run(r, job);
    expect(result).toMatchObject({ timedOut: true, exitCode: 137 });
    expect(lines.map((l) => l.line)).toEqual(['started']);
    // The job's own TERM handler ran (exit 42), so the wrapper passed the signal on instead of ignoring it as PID 1.
    const exitFile = join(job.workingDir, '..', '.windhover', 'exit');
    await expect.poll(() => readFile(exitFile, 'utf8').catch(() => ''), { timeout: 3000 }).toBe('42\n');
  });

  it("registers a new revision of the image's family once the worker definition it was derived from changes", async () => {
    const image = 'node:22-slim';
    const before = runner();
    await run(before, imageJob(before, image, 'echo before'));
    expect(registrations(imageFamily(image))).toHaveLength(1);
    // A deploy with a new worker image: a new revision of the worker's definition.
    const newImage = `${WORKER_REPOSITORY}:worker-v2`;
    const [container] = workerDefinition.containerDefinitions;
    const v2 = await clients.ecs.send(
      new RegisterTaskDefinitionCommand({ ...workerDefinition, containerDefinitions: [{ ...(container as NonNullable<typeof container>), image: newImage }] }),
    );
    const after = runner(v2.taskDefinition?.taskDefinitionArn);
    const { result, lines } = await run(after, imageJob(after, image, 'echo after'));
    expect(lines.map((l) => l.line)).toEqual(['after']);
    const revisions = registrations(imageFamily(image));
    expect(revisions.map((d) => d.revision)).toEqual([1, 2]);
    expect(emulators.fake.runTaskRequests.at(-1)?.taskDefinition).toBe(revisions[1]?.taskDefinitionArn);
    expect(Object.fromEntries(containersOf(result.runnerOutputs?.taskArn).map((c) => [c.name, c.image]))).toEqual({
      'stage-in': newImage,
      task: image,
      'stage-out': newImage,
    });
  });

  it('fails the job with what ECS reports when stage-in fails and the task stops before the command runs', async () => {
    const r = runner();
    const job = { ...imageJob(r, 'python:3.11-slim', 'echo never'), jobId: `stage-in-fails-${seq++}` };
    const { result, lines } = await run(r, { ...job, ...r.paths(job.jobId) });
    expect(result.exitCode).toBe(1);
    expect(lines.map((l) => l.line)).toEqual([
      'Fargate task stopped: Essential container stage-out did not start: dependency condition not met (stage-in: exit 1; task: dependency condition not met; stage-out: dependency condition not met)',
    ]);
    expect(containersOf(result.runnerOutputs?.taskArn).map((c) => c.name)).toEqual(['stage-in']);
  });

  it('stops the task and reports the container exit code when the image cannot run the command', async () => {
    const r = runner();
    const { result, lines } = await run(r, imageJob(r, 'example.com/distroless:no-shell', 'echo never'));
    expect(result.exitCode).toBe(127);
    expect(lines.map((l) => l.line)).toEqual(["Fargate task stopped: container 'task' stopped"]);
    expect(emulators.fake.tasks.get(String(result.runnerOutputs?.taskArn))?.stoppedReason).toBe('job container stopped without a result');
  });
});
