import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small server for the AWS JSON 1.1 services nothing on npm emulates:
 * Secrets Manager (the secret store), EventBridge (the event bus: PutEvents,
 * and PutRule/ListRules/DeleteRule for the rules the publisher checks) and ECS
 * (RunTask for the Fargate runner). It implements only the operations the
 * adapters call, with the real wire format, and records what it received so
 * tests can assert on it. ECS RunTask calls `onRunTask`, which a test uses to
 * start the container entry point as a local process.
 */
export interface FakeSecret {
  name: string;
  value: string;
  created: number;
}

export interface RecordedEvent {
  readonly EventBusName?: string;
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
}

/** A rule on a bus, as EventBridge's ListRules returns it. */
export interface FakeRule {
  readonly Name: string;
  readonly Arn: string;
  readonly EventBusName: string;
  readonly EventPattern?: string;
  readonly ScheduleExpression?: string;
  readonly Description?: string;
  readonly State: string;
}

export interface RunTaskCall {
  readonly taskArn: string;
  readonly request: Record<string, unknown>;
}

/** EventBridge takes a bus name or ARN and means the default bus when given neither. */
const busName = (nameOrArn: unknown): string => (nameOrArn === undefined ? 'default' : String(nameOrArn).replace(/^arn:.*:event-bus\//, ''));

export class AwsJsonFake {
  readonly secrets = new Map<string, FakeSecret>();
  readonly events: RecordedEvent[] = [];
  /** EventBridge rules by `{bus}/{name}` (names are unique per bus). */
  readonly rules = new Map<string, FakeRule>();
  /** At most this many rules per ListRules page (EventBridge pages at 100 and may return fewer). */
  listRulesPageSize = 100;
  /** Operations that answer with the given error type (400) instead of working, e.g. `ListRules` → `AccessDeniedException`. */
  readonly failing = new Map<string, string>();
  readonly tasks = new Map<string, { lastStatus: string; exitCode?: number; stoppedReason?: string }>();
  readonly calls: string[] = [];
  readonly runTaskRequests: Record<string, unknown>[] = [];
  onRunTask?: (call: RunTaskCall) => void;
  onStopTask?: (taskArn: string) => void;
  private server?: Server;
  private taskSeq = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  putSecret(name: string, value: string): void {
    this.secrets.set(name, { name, value, created: Date.now() / 1000 });
  }

  finishTask(taskArn: string, exitCode: number): void {
    this.tasks.set(taskArn, { lastStatus: 'STOPPED', exitCode, stoppedReason: 'Essential container in task exited' });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const auth = String(req.headers.authorization ?? '');
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    const op = target.split('.').pop() ?? '';
    this.calls.push(op);
    const reply = (status: number, payload: unknown, errorType?: string) => {
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      res.end(JSON.stringify(payload));
    };
    const fail = (type: string, message: string) => reply(400, { __type: type, message }, type);
    if (!auth.startsWith('AWS4-HMAC-SHA256')) return fail('MissingAuthenticationTokenException', 'unsigned request');
    const failure = this.failing.get(op);
    if (failure) return fail(failure, `${op} failed (fake)`);
    switch (target) {
      case 'secretsmanager.CreateSecret':
      case 'secretsmanager.PutSecretValue': {
        const name = String(body.Name ?? body.SecretId);
        this.putSecret(name, String(body.SecretString ?? ''));
        return reply(200, { ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}`, Name: name });
      }
      case 'secretsmanager.GetSecretValue': {
        const s = this.secrets.get(String(body.SecretId));
        if (!s) return fail('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        return reply(200, { Name: s.name, SecretString: s.value, CreatedDate: s.created, VersionStages: ['AWSCURRENT'] });
      }
      case 'secretsmanager.ListSecrets': {
        const filters = (body.Filters ?? []) as { Key: string; Values: string[] }[];
        const prefixes = filters.filter((f) => f.Key === 'name').flatMap((f) => f.Values);
        const all = [...this.secrets.values()].filter((s) => prefixes.length === 0 || prefixes.some((p) => s.name.startsWith(p)));
        const max = Number(body.MaxResults ?? 100);
        const start = Number(body.NextToken ?? 0);
        const page = all.slice(start, start + max);
        return reply(200, {
          SecretList: page.map((s) => ({ Name: s.name, ARN: `arn:${s.name}` })),
          ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
        });
      }
      case 'AWSEvents.PutEvents': {
        const entries = (body.Entries ?? []) as RecordedEvent[];
        this.events.push(...entries);
        return reply(200, { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `ev-${this.events.length + i}` })) });
      }
      case 'AWSEvents.PutRule': {
        const bus = busName(body.EventBusName);
        const name = String(body.Name ?? '');
        if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) return fail('ValidationException', `invalid rule name: ${name}`);
        if (body.EventPattern === undefined && body.ScheduleExpression === undefined) {
          return fail('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
        }
        const rule: FakeRule = {
          Name: name,
          Arn: `arn:aws:events:us-east-1:000000000000:rule/${bus === 'default' ? '' : `${bus}/`}${name}`,
          EventBusName: bus,
          State: String(body.State ?? 'ENABLED'),
          ...(body.EventPattern === undefined ? {} : { EventPattern: String(body.EventPattern) }),
          ...(body.ScheduleExpression === undefined ? {} : { ScheduleExpression: String(body.ScheduleExpression) }),
          ...(body.Description === undefined ? {} : { Description: String(body.Description) }),
        };
        this.rules.set(`${bus}/${name}`, rule);
        return reply(200, { RuleArn: rule.Arn });
      }
      case 'AWSEvents.DeleteRule': {
        this.rules.delete(`${busName(body.EventBusName)}/${String(body.Name)}`);
        return reply(200, {});
      }
      case 'AWSEvents.ListRules': {
        const bus = busName(body.EventBusName);
        const prefix = String(body.NamePrefix ?? '');
        const all = [...this.rules.values()]
          .filter((r) => r.EventBusName === bus && r.Name.startsWith(prefix))
          .sort((a, b) => a.Name.localeCompare(b.Name));
        const size = Math.min(Number(body.Limit ?? 100), this.listRulesPageSize);
        const start = body.NextToken === undefined ? 0 : Number(Buffer.from(String(body.NextToken), 'base64url').toString('utf8'));
        if (!Number.isInteger(start) || start < 0) return fail('ValidationException', 'invalid NextToken');
        const next = start + size;
        return reply(200, {
          Rules: all.slice(start, next),
          ...(next < all.length ? { NextToken: Buffer.from(String(next)).toString('base64url') } : {}),
        });
      }
      case 'AmazonEC2ContainerServiceV20141113.RunTask': {
        const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/fake/${++this.taskSeq}`;
        this.tasks.set(taskArn, { lastStatus: 'RUNNING' });
        this.runTaskRequests.push(body);
        this.onRunTask?.({ taskArn, request: body });
        return reply(200, { tasks: [{ taskArn, lastStatus: 'PROVISIONING' }], failures: [] });
      }
      case 'AmazonEC2ContainerServiceV20141113.DescribeTasks': {
        const arns = (body.tasks ?? []) as string[];
        return reply(200, {
          tasks: arns
            .filter((a) => this.tasks.has(a))
            .map((a) => {
              const t = this.tasks.get(a) ?? { lastStatus: 'RUNNING' };
              return {
                taskArn: a,
                lastStatus: t.lastStatus,
                ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
                containers: [{ name: 'worker', lastStatus: t.lastStatus, ...(t.exitCode === undefined ? {} : { exitCode: t.exitCode }) }],
              };
            }),
          failures: arns.filter((a) => !this.tasks.has(a)).map((a) => ({ arn: a, reason: 'MISSING' })),
        });
      }
      case 'AmazonEC2ContainerServiceV20141113.StopTask': {
        const arn = String(body.task);
        this.tasks.set(arn, { lastStatus: 'STOPPED', exitCode: 137, stoppedReason: String(body.reason ?? 'stopped') });
        this.onStopTask?.(arn);
        return reply(200, { task: { taskArn: arn, lastStatus: 'STOPPED' } });
      }
      default:
        return fail('UnknownOperationException', `not emulated: ${target}`);
    }
  }
}
