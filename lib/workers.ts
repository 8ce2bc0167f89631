import { Stack } from 'aws-cdk-lib';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  ContainerImage,
  CpuArchitecture,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { ENV_NAMES } from '../functions/shared/env-names';
import { REPO_ROOT } from './windhover-function';

/**
 * The worker image's build context: functions/fargate/Dockerfile next to the
 * container entry point, bundled here with the local esbuild (like the
 * Lambda functions), so the image build needs no npm install and the
 * context is two files. Same input, same bytes, same asset hash.
 */
function workerImageContext(): string {
  const dir = join(tmpdir(), 'windhover-worker-image');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(REPO_ROOT, 'functions', 'fargate', 'Dockerfile'), join(dir, 'Dockerfile'));
  buildSync({
    entryPoints: [join(REPO_ROOT, 'functions', 'fargate', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    outfile: join(dir, 'main.mjs'),
    banner: { js: "import { createRequire as __wh_cr } from 'node:module'; const require = __wh_cr(import.meta.url);" },
    logLevel: 'error',
  });
  return dir;
}

export interface WorkersProps {
  /** Fargate task size: cpu units (256 = 0.25 vCPU) and memory in MiB. */
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly logRetention: RetentionDays;
  readonly bucket: Bucket;
}

/**
 * Heavy task runs (scripts, long runs) on ECS Fargate: a cluster in a small
 * VPC with public subnets only (no NAT gateway to pay for; tasks get a
 * public IP to reach the internet and AWS APIs), and one task definition
 * whose image is built at deploy time from functions/fargate/Dockerfile. The
 * worker function starts tasks with RunTask; inputs and outputs are staged in
 * the bucket under `jobs/`, and output lines stream back through it. A job
 * with its own `containerImage` runs a task definition the worker function
 * derives from this one (same roles, size and logs) and registers once per
 * image.
 */
export class Workers extends Construct {
  readonly cluster: Cluster;
  readonly taskDefinition: FargateTaskDefinition;
  readonly securityGroup: SecurityGroup;
  readonly vpc: Vpc;
  static readonly CONTAINER_NAME = 'worker';

  constructor(scope: Construct, id: string, props: WorkersProps) {
    super(scope, id);
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
    });
    this.securityGroup = new SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: 'Windhover Fargate tasks: egress only',
      allowAllOutbound: true,
    });
    this.cluster = new Cluster(this, 'Cluster', { vpc: this.vpc, containerInsightsV2: undefined });
    this.taskDefinition = new FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.ARM64, operatingSystemFamily: OperatingSystemFamily.LINUX },
    });
    this.taskDefinition.addContainer(Workers.CONTAINER_NAME, {
      image: ContainerImage.fromAsset(workerImageContext(), { platform: Platform.LINUX_ARM64 }),
      logging: LogDrivers.awsLogs({
        streamPrefix: 'task',
        logGroup: new LogGroup(this, 'TaskLogs', { retention: props.logRetention }),
      }),
      environment: { [ENV_NAMES.BUCKET_NAME]: props.bucket.bucketName },
    });
    // The container reads its job and writes its lines and outputs under jobs/ only.
    props.bucket.grantReadWrite(this.taskDefinition.taskRole, 'jobs/*');
  }

  /** Lets a function run, watch and stop worker tasks, and tells it how. */
  configureRunTasks(fn: LambdaFunction): void {
    const stack = Stack.of(this);
    // Jobs with their own containerImage run task definitions derived from ours, family `{family}-img-{hash}`.
    const imageDefinitions = `arn:${stack.partition}:ecs:${stack.region}:${stack.account}:task-definition/${this.taskDefinition.family}-img-*`;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [this.taskDefinition.taskDefinitionArn, imageDefinitions],
        conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
      }),
    );
    // Neither action has a resource type in IAM (Resource `*`): limited to the stack's Region.
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
        resources: [`arn:${stack.partition}:ecs:${stack.region}:${stack.account}:task/${this.cluster.clusterName}/*`],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.taskDefinition.taskRole.roleArn, this.taskDefinition.obtainExecutionRole().roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    fn.addEnvironment(ENV_NAMES.FARGATE_CLUSTER_ARN, this.cluster.clusterArn);
    fn.addEnvironment(ENV_NAMES.FARGATE_TASK_DEFINITION_ARN, this.taskDefinition.taskDefinitionArn);
    fn.addEnvironment(ENV_NAMES.FARGATE_CONTAINER_NAME, Workers.CONTAINER_NAME);
    fn.addEnvironment(ENV_NAMES.FARGATE_SUBNETS, this.vpc.publicSubnets.map((s) => s.subnetId).join(','));
    fn.addEnvironment(ENV_NAMES.FARGATE_SECURITY_GROUPS, this.securityGroup.securityGroupId);
  }
}
