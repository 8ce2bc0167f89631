import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EcsFargateTaskRunner } from '@windhover/aws';
import type { AwsClients } from '@windhover/aws';
import type { ScriptLine } from '@windhover/core';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_NAMES } from '../../functions/shared/env-names';
import { describeTaskRunnerContract } from '../contracts/task-runner.contract';
import { type AwsEmulators, destroyAwsClients, emulatorClients, startAwsEmulators } from './support/emulators';

let emulators: AwsEmulators;
let clients: AwsClients;
const workRoot = mkdtempSync(join(tmpdir(), 'wh-fargate-'));
const containers = new Map<string, ChildProcess>();
let pool: ChildProcess[] = [];
const fargate = {
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/windhover',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/windhover-worker:1',
  containerName: 'worker',
  subnets: ['subnet-1'],
  securityGroups: ['sg-1'],
};

const containerBundle = join(workRoot, 'image', 'main.mjs');

beforeAll(async () => {
  // Bundled once like the image's entry point, so a "task" starts in a fraction of a second.
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
  // The "Fargate task": the real container entry point as a local process, kept warm in a pool.
  const warm: ChildProcess[] = [];
  const spawnHost = () =>
    warm.push(
      spawn(process.execPath, [join(import.meta.dirname, 'support', 'container-host.mjs'), containerBundle], {
        cwd: workRoot,
        env: {
          ...process.env,
          [ENV_NAMES.BUCKET_NAME]: 'windhover',
          [ENV_NAMES.S3_FORCE_PATH_STYLE]: 'true',
          [ENV_NAMES.S3_CHECKSUM_WHEN_REQUIRED]: 'true',
          WINDHOVER_WORK_ROOT: workRoot,
          WINDHOVER_LINE_FLUSH_MS: '50',
        },
        stdio: ['pipe', 'inherit', 'inherit'],
      }),
    );
  spawnHost();
  pool = warm;
  emulators.fake.onRunTask = ({ taskArn, request }) => {
    const overrides = request.overrides as { containerOverrides: { environment: { name: string; value: string }[] }[] };
    const env = Object.fromEntries(overrides.containerOverrides[0].environment.map((e) => [e.name, e.value]));
    const child = warm.shift() as ChildProcess;
    spawnHost();
    child.stdin?.end(`${JSON.stringify(env)}\n`);
    containers.set(taskArn, child);
    child.on('exit', (code) => {
      emulators.fake.finishTask(taskArn, code ?? 137);
      containers.delete(taskArn);
    });
  };
  emulators.fake.onStopTask = (taskArn) => containers.get(taskArn)?.kill('SIGTERM');
});

afterAll(async () => {
  for (const c of [...containers.values(), ...pool]) c.kill('SIGKILL');
  destroyAwsClients(clients);
  await emulators.stop();
});

const runner = () =>
  new EcsFargateTaskRunner(clients.ecs, clients.s3, {
    fargate,
    bucket: 'windhover',
    jobPrefixEnv: ENV_NAMES.JOB_PREFIX,
    containerWorkRoot: workRoot,
    pollMs: 100,
    describeEvery: 3,
  });

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
  });
});
