import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAZY_MODULES } from './windhover-function';
import { DEFAULT_CONFIG, WindhoverStack } from './windhover-stack';

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

let template: Template;
let outdir: string;
let resources: Record<string, Resource>;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'wh-cdk-'));
  const app = new App({ outdir });
  const stack = new WindhoverStack(app, 'WindhoverTest', { ...DEFAULT_CONFIG, alarmEmail: 'ops@example.com' }, {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
/** The logical id of the Lambda function whose description starts with `prefix`. */
const functionId = (prefix: string): string => {
  const found = ofType('AWS::Lambda::Function').find(([, r]) => String(r.Properties?.Description ?? '').startsWith(prefix));
  if (!found) throw new Error(`no function described '${prefix}'`);
  return found[0];
};
/** Every IAM statement attached to a function's role. */
const statementsOf = (fnId: string): Statement[] => {
  const props = (r: Resource): Record<string, unknown> => r.Properties ?? {};
  const role = (props(resources[fnId]).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (props(p).Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap(([, p]) => (props(p).PolicyDocument as { Statement: Statement[] }).Statement);
};
const codeKey = (r: Resource): string => {
  const code = r.Properties?.Code as { S3Key: string } | undefined;
  if (!code) throw new Error('function without code');
  return code.S3Key;
};
const actionsOf = (fnId: string): Set<string> => new Set(statementsOf(fnId).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));

describe('WindhoverStack', () => {
  it('runs every function on Node.js 22 with an esbuild bundle, arm64 and active tracing', () => {
    const fns = ofType('AWS::Lambda::Function').filter(([, r]) => String(r.Properties?.Description ?? '').startsWith('Windhover'));
    expect(fns.map(([, r]) => r.Properties?.Description)).toHaveLength(5);
    for (const [, r] of fns) {
      expect(r.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler', TracingConfig: { Mode: 'Active' } });
    }
  });

  it('ships loadable bundles: each function\'s asset has its handler, the jq WebAssembly and the lazy modules it loads at run time', () => {
    const fns = ofType('AWS::Lambda::Function').filter(([, r]) => String(r.Properties?.Description ?? '').startsWith('Windhover'));
    for (const [, r] of fns) {
      const key = codeKey(r);
      const dir = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      expect(existsSync(join(dir, 'index.js')), key).toBe(true);
      expect(existsSync(join(dir, 'node_modules', 'jq-web', 'jq.wasm')), key).toBe(true);
      for (const { name } of LAZY_MODULES) expect(existsSync(join(dir, 'node_modules', name, 'index.js')), `${key} ${name}`).toBe(true);
      // The holiday data is not in the bundle every cold start parses.
      expect(readFileSync(join(dir, 'index.js'), 'utf8')).not.toContain('Tag der Deutschen Einheit');
    }
    // The API bundle initializes in a plain Node process and exports the handler; NODE_PATH plays
    // the Lambda runtime's own node_modules (the AWS SDK is not bundled).
    const api = fns.find(([, r]) => String(r.Properties?.Description).startsWith('Windhover API ('));
    if (!api) throw new Error('no API function');
    const dir = join(outdir, `asset.${codeKey(api[1]).replace(/\.zip$/, '')}`);
    const out = execFileSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(join(dir, 'index.js'))}).handler)`], {
      encoding: 'utf8',
      env: { ...process.env, AWS_REGION: 'eu-west-1', NODE_PATH: join(process.cwd(), 'node_modules') },
    });
    expect(out).toBe('function');
    // The lazily required date-holidays resolves from the bundle's directory to the shipped
    // bundle (not the repository's node_modules) and computes public holidays.
    const probe = [
      `const r=require('node:module').createRequire(${JSON.stringify(join(dir, 'index.js'))});`,
      "const H=r('date-holidays');const days=new H('DE').getHolidays(2026).filter((h)=>h.type==='public').map((h)=>h.date.slice(0,10));",
      "process.stdout.write(JSON.stringify({path:r.resolve('date-holidays'),unity:days.includes('2026-10-03'),xmas:days.includes('2026-12-25'),dec23:days.includes('2026-12-23')}))",
    ].join('');
    const lazy = JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8', cwd: tmpdir() })) as Record<string, unknown>;
    expect(lazy).toEqual({ path: join(dir, 'node_modules', 'date-holidays', 'index.js'), unity: true, xmas: true, dec23: false });
  });

  it('guards every route with the Lambda authorizer except webhooks and health', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties as { RouteKey: string; AuthorizationType: string });
    const open = routes.filter((r) => r.AuthorizationType === 'NONE').map((r) => r.RouteKey).sort();
    expect(open).toEqual([
      'GET /api/v1/executions/webhook/{proxy+}',
      'GET /api/v1/{tenant}/executions/webhook/{proxy+}',
      'GET /health',
      'GET /health/{proxy+}',
      'POST /api/v1/executions/webhook/{proxy+}',
      'POST /api/v1/{tenant}/executions/webhook/{proxy+}',
      'PUT /api/v1/executions/webhook/{proxy+}',
      'PUT /api/v1/{tenant}/executions/webhook/{proxy+}',
    ]);
    const guarded = routes.filter((r) => r.AuthorizationType !== 'NONE');
    expect(guarded.map((r) => r.RouteKey)).toEqual(['ANY /{proxy+}']);
    expect(guarded[0].AuthorizationType).toBe('CUSTOM');
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 300,
    });
  });

  it('gives the FIFO executor queue and the worker queue a dead-letter queue each', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'windhover-executor.fifo',
      FifoQueue: true,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'windhover-worker',
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'windhover-executor-dlq.fifo', FifoQueue: true });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 });
    expect(ofType('AWS::Lambda::EventSourceMapping')).toHaveLength(2);
  });

  it('keeps the bucket private and encrypted, with lifecycle rules', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })]) },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('creates the single on-demand table with point-in-time recovery, TTL and the two sharded indexes', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'gsi1', Projection: Match.objectLike({ ProjectionType: 'INCLUDE', NonKeyAttributes: Match.arrayWith(['body', 'ns']) }) }),
        Match.objectLike({ IndexName: 'gsi2', Projection: Match.objectLike({ ProjectionType: 'INCLUDE', NonKeyAttributes: Match.arrayWith(['state']) }) }),
      ],
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  it('gives each function only the permissions it needs', () => {
    const authorizer = actionsOf(functionId('Windhover API authorizer'));
    // Besides X-Ray tracing, the authorizer may only read the API credentials.
    expect([...authorizer].sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const worker = actionsOf(functionId('Windhover worker'));
    expect(worker.has('ecs:RunTask')).toBe(true);
    expect(worker.has('iam:PassRole')).toBe(true);
    for (const name of ['Windhover API (', 'Windhover executor', 'Windhover scheduler']) {
      const actions = actionsOf(functionId(name));
      expect(actions.has('ecs:RunTask'), name).toBe(false);
      expect(actions.has('dynamodb:PutItem'), name).toBe(true);
      expect(actions.has('sqs:SendMessage'), name).toBe(true);
    }
    // Flow secrets are readable only under the prefix; no function may write secrets.
    for (const fn of ['Windhover API (', 'Windhover executor', 'Windhover worker', 'Windhover scheduler']) {
      const statements = statementsOf(functionId(fn));
      const secretRead = statements.find((s) => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes(':secret:windhover/*'));
      expect(secretRead, fn).toBeDefined();
      expect([...actionsOf(functionId(fn))].some((a) => /secretsmanager:(Put|Create|Delete|Update)/.test(a)), fn).toBe(false);
      expect([...actionsOf(functionId(fn))].some((a) => a === '*' || a.endsWith(':*')), fn).toBe(false);
    }
    // Execution events: PutEvents only on the stack's bus; ListRules (no resource type in IAM, so Resource `*`)
    // alone in its statement and limited to the stack's Region.
    const [busId] = ofType('AWS::Events::EventBus').map(([id]) => id);
    for (const fn of ['Windhover API (', 'Windhover executor', 'Windhover worker', 'Windhover scheduler']) {
      const statements = statementsOf(functionId(fn));
      const eventStatements = statements.filter((s) => JSON.stringify(s.Action).includes('events:'));
      expect(eventStatements, fn).toEqual([
        { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } },
        { Effect: 'Allow', Action: 'events:ListRules', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
      ]);
    }
    // RunTask only for our task definition and the ones derived from it per containerImage (family `{family}-img-*`),
    // in our cluster; PassRole only for its roles, only to ECS tasks.
    const workerStatements = statementsOf(functionId('Windhover worker'));
    const [[taskDefinitionId, taskDefinition]] = ofType('AWS::ECS::TaskDefinition') as [[string, Resource]];
    const family = String(taskDefinition.Properties?.Family);
    const runTask = workerStatements.find((s) => s.Action === 'ecs:RunTask');
    expect(runTask?.Resource).toEqual([
      { Ref: taskDefinitionId },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecs:eu-west-1:123456789012:task-definition/${family}-img-*`]] },
    ]);
    expect(JSON.stringify(runTask?.Condition)).toContain('ecs:cluster');
    // Registering and describing task definitions has no resource type in IAM: Resource `*`, the stack's Region only.
    expect(workerStatements.filter((s) => JSON.stringify(s.Action).includes('TaskDefinition'))).toEqual([
      {
        Effect: 'Allow',
        Action: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
      },
    ]);
    const passRole = workerStatements.find((s) => s.Action === 'iam:PassRole');
    expect(passRole?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    const roleIds = ofType('AWS::IAM::Role').map(([id]) => id);
    const passed = ((passRole?.Resource ?? []) as { 'Fn::GetAtt': [string, string] }[]).map((r) => r['Fn::GetAtt'][0]);
    expect(passed).toHaveLength(2);
    for (const id of passed) expect(roleIds).toContain(id);
    expect(passed.every((id) => id.includes('TaskDefinition'))).toBe(true);
    for (const name of ['Windhover API (', 'Windhover executor', 'Windhover scheduler']) {
      expect([...actionsOf(functionId(name))].some((a) => a.includes('TaskDefinition') || a === 'iam:PassRole'), name).toBe(false);
    }
  });

  it('builds the dashboard with its widgets and alarms on DLQ depth, executor errors and API 5xx', () => {
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    for (const title of [
      'Executions started / ended by state',
      'Execution duration p50 / p99 (ms)',
      'Task runs per minute and duration p50 / p99 (ms)',
      'Queue depth',
      'Age of oldest message (s)',
      'DLQ depth',
      'Lambda errors',
      'Lambda throttles',
      'Lambda duration p99 (ms)',
      'DynamoDB throttled requests',
      'Git sync results',
      'API requests and 5xx',
    ]) {
      expect(body, title).toContain(title);
    }
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties as { MetricName: string; Namespace: string; AlarmActions: unknown[] });
    expect(alarms.map((a) => `${a.Namespace}/${a.MetricName}`).sort()).toEqual([
      'AWS/ApiGateway/5xx',
      'AWS/Lambda/Errors',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
    ]);
    for (const a of alarms) expect(a.AlarmActions).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('runs the scheduler every minute and defines the Fargate task from the repository Dockerfile', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      Cpu: '1024',
      Memory: '2048',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    expect(ofType('AWS::EC2::NatGateway')).toHaveLength(0);
  });

  it('outputs the API URL and the webhook base URL', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Description: string }>;
    const descriptions = Object.values(outputs).map((o) => o.Description);
    expect(descriptions).toContain('Windhover API base URL');
    expect(descriptions).toContain('Append /{namespace}/{flowId}/{key} for a flow webhook trigger');
  });
});
