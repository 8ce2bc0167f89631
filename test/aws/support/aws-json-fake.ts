import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small server for the AWS JSON 1.1 services nothing on npm emulates:
 * Secrets Manager (the secret store), EventBridge (the event bus: PutEvents,
 * and PutRule/ListRules/DeleteRule for the rules the publisher checks) and ECS
 * (task definitions and tasks for the Fargate runner). It implements only the
 * operations the adapters call, with the real wire format, and records what it
 * received so tests can assert on it. ECS RunTask starts the definition's
 * containers in dependsOn order (START / COMPLETE / SUCCESS), each through
 * `onStartContainer`, which a test uses to run it as a local process; the task
 * stops when an essential container exits (the others are stopped) or when
 * every container has stopped.
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

/** A container ECS would start: the definition's settings merged with the RunTask overrides. */
export interface FakeContainerStart {
  readonly taskArn: string;
  readonly name: string;
  /** The image the container asked for (never pulled: the test decides what runs). */
  readonly image: string;
  readonly entryPoint?: readonly string[];
  readonly command?: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly user?: string;
}

/** A started container: resolves with its exit code; stop() is ECS's SIGTERM (StopTask, essential container exit). */
export interface FakeContainerProcess {
  readonly exited: Promise<number>;
  stop(): void;
}

interface FakeContainerState {
  readonly name: string;
  readonly image: string;
  readonly essential: boolean;
  readonly dependsOn: readonly { containerName: string; condition: string }[];
  status: 'PENDING' | 'RUNNING' | 'STOPPED';
  started: boolean;
  exitCode?: number;
  reason?: string;
  process?: FakeContainerProcess;
}

interface FakeTask {
  lastStatus: string;
  stoppedReason?: string;
  readonly containers: FakeContainerState[];
  readonly definition: Json;
}

type Json = Record<string, unknown>;

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
  readonly tasks = new Map<string, FakeTask>();
  readonly calls: string[] = [];
  readonly runTaskRequests: Record<string, unknown>[] = [];
  /** Registered ECS task definitions, in registration order (with their ARN, revision and status). */
  readonly taskDefinitions: Json[] = [];
  /** Every container started, in order, with the image it asked for. */
  readonly startedContainers: FakeContainerStart[] = [];
  onStartContainer?: (container: FakeContainerStart) => FakeContainerProcess;
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

  /** A task definition by ARN, `family:revision` or family (its latest ACTIVE revision). */
  taskDefinition(ref: string): Json | undefined {
    const byArn = this.taskDefinitions.find((d) => d.taskDefinitionArn === ref);
    if (byArn) return byArn;
    const [family, revision] = ref.replace(/^arn:.*:task-definition\//, '').split(':');
    return this.taskDefinitions
      .filter((d) => d.family === family && (revision === undefined ? d.status === 'ACTIVE' : String(d.revision) === revision))
      .at(-1);
  }

  /** What ECS refuses at registration (the subset the runner could get wrong), or undefined. */
  private invalidTaskDefinition(body: Json): string | undefined {
    const containers = (body.containerDefinitions ?? []) as Json[];
    const names = containers.map((c) => String(c.name));
    const volumes = ((body.volumes ?? []) as Json[]).map((v) => String(v.name));
    if (!body.family || containers.length === 0) return 'family and containerDefinitions are required';
    if (new Set(names).size !== names.length) return 'Container names must be unique';
    if (!containers.some((c) => c.essential !== false)) return 'At least one essential container is required';
    if (((body.requiresCompatibilities ?? []) as string[]).includes('FARGATE')) {
      if (body.networkMode !== 'awsvpc') return 'Fargate requires network mode awsvpc';
      if (!body.cpu || !body.memory) return 'Fargate requires task definition to have cpu and memory';
    }
    for (const c of containers) {
      if (!c.image) return `Container ${String(c.name)} has no image`;
      for (const dep of (c.dependsOn ?? []) as { containerName: string; condition: string }[]) {
        const target = containers.find((t) => t.name === dep.containerName);
        if (!target) return `Container ${String(c.name)} depends on unknown container ${dep.containerName}`;
        if ((dep.condition === 'SUCCESS' || dep.condition === 'COMPLETE') && target.essential !== false) {
          return `Dependency condition ${dep.condition} cannot be set on essential container ${dep.containerName}`;
        }
      }
      for (const m of (c.mountPoints ?? []) as { sourceVolume: string }[]) {
        if (!volumes.includes(m.sourceVolume)) return `Unknown volume '${m.sourceVolume}'`;
      }
    }
    return undefined;
  }

  private registerTaskDefinition(body: Json): Json {
    const family = String(body.family);
    const revision = this.taskDefinitions.filter((d) => d.family === family).length + 1;
    const definition = {
      ...body,
      family,
      revision,
      status: 'ACTIVE',
      taskDefinitionArn: `arn:aws:ecs:us-east-1:000000000000:task-definition/${family}:${revision}`,
    };
    this.taskDefinitions.push(definition);
    return definition;
  }

  /** Starts every container whose dependencies are met, gives up on those whose dependencies never will be. */
  private advance(taskArn: string, overrides: Json[]): void {
    const task = this.tasks.get(taskArn);
    if (!task) return;
    for (let changed = true; changed; ) {
      changed = false;
      for (const c of task.containers.filter((x) => x.status === 'PENDING')) {
        let ready = true;
        let never = task.lastStatus !== 'RUNNING';
        for (const dep of c.dependsOn) {
          const d = task.containers.find((x) => x.name === dep.containerName);
          const met =
            dep.condition === 'SUCCESS' ? d?.status === 'STOPPED' && d.exitCode === 0
            : dep.condition === 'COMPLETE' ? d?.status === 'STOPPED' && d.started
            : d?.started === true;
          if (!met) ready = false;
          if (!met && d?.status === 'STOPPED') never = true;
        }
        if (never) {
          c.status = 'STOPPED';
          c.reason = 'dependency condition not met';
          changed = true;
          if (c.essential) this.stopTask(taskArn, `Essential container ${c.name} did not start: dependency condition not met`);
        } else if (ready) {
          this.startContainer(taskArn, task, c, overrides);
          changed = true;
        }
      }
    }
    if (task.containers.every((x) => x.status === 'STOPPED')) {
      task.lastStatus = 'STOPPED';
      task.stoppedReason ??= 'All containers exited';
    }
  }

  private startContainer(taskArn: string, task: FakeTask, c: FakeContainerState, overrides: Json[]): void {
    const spec = ((task.definition.containerDefinitions ?? []) as Json[]).find((d) => d.name === c.name) ?? {};
    const override = overrides.find((o) => o.name === c.name) ?? {};
    const env = (list: unknown) => Object.fromEntries(((list ?? []) as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    const start: FakeContainerStart = {
      taskArn,
      name: c.name,
      image: c.image,
      ...(spec.entryPoint ? { entryPoint: spec.entryPoint as string[] } : {}),
      ...((override.command ?? spec.command) ? { command: (override.command ?? spec.command) as string[] } : {}),
      environment: { ...env(spec.environment), ...env(override.environment) },
      ...(spec.user ? { user: String(spec.user) } : {}),
    };
    this.startedContainers.push(start);
    c.status = 'RUNNING';
    c.started = true;
    if (!this.onStartContainer) return;
    c.process = this.onStartContainer(start);
    void c.process.exited.then((code) => {
      c.status = 'STOPPED';
      c.exitCode = code;
      if (c.essential) this.stopTask(taskArn, 'Essential container in task exited');
      this.advance(taskArn, overrides);
    });
  }

  /** ECS's StopTask (or an essential container's exit): stops the running containers, cancels the pending ones. */
  private stopTask(taskArn: string, reason: string): void {
    const task = this.tasks.get(taskArn);
    if (!task || task.lastStatus === 'STOPPED') return;
    task.stoppedReason ??= reason;
    task.lastStatus = 'STOPPING';
    for (const c of task.containers) {
      if (c.status === 'RUNNING') c.process?.stop();
      if (c.status === 'PENDING') c.status = 'STOPPED';
      if (c.status === 'RUNNING' && !c.process) c.status = 'STOPPED';
    }
    if (task.containers.every((x) => x.status === 'STOPPED')) task.lastStatus = 'STOPPED';
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
      case 'AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition': {
        const invalid = this.invalidTaskDefinition(body);
        if (invalid) return fail('ClientException', invalid);
        return reply(200, { taskDefinition: this.registerTaskDefinition(body), tags: [] });
      }
      case 'AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition': {
        const definition = this.taskDefinition(String(body.taskDefinition ?? ''));
        if (!definition) return fail('ClientException', 'Unable to describe task definition.');
        return reply(200, { taskDefinition: definition });
      }
      case 'AmazonEC2ContainerServiceV20141113.RunTask': {
        this.runTaskRequests.push(body);
        const definition = this.taskDefinition(String(body.taskDefinition ?? ''));
        if (!definition) return fail('InvalidParameterException', 'TaskDefinition not found.');
        const overrides = ((body.overrides as Json | undefined)?.containerOverrides ?? []) as Json[];
        const defined = ((definition.containerDefinitions ?? []) as Json[]).map((d) => d.name);
        const stray = overrides.find((o) => !defined.includes(o.name));
        if (stray) return fail('InvalidParameterException', `Override for container named ${String(stray.name)} is not a container in the TaskDefinition.`);
        const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/fake/${++this.taskSeq}`;
        const containers = ((definition.containerDefinitions ?? []) as Json[]).map(
          (d): FakeContainerState => ({
            name: String(d.name),
            image: String(d.image),
            essential: d.essential !== false,
            dependsOn: (d.dependsOn ?? []) as { containerName: string; condition: string }[],
            status: 'PENDING',
            started: false,
          }),
        );
        const task: FakeTask = { lastStatus: 'RUNNING', containers, definition };
        this.tasks.set(taskArn, task);
        this.advance(taskArn, overrides);
        return reply(200, { tasks: [{ taskArn, taskDefinitionArn: definition.taskDefinitionArn, lastStatus: 'PROVISIONING' }], failures: [] });
      }
      case 'AmazonEC2ContainerServiceV20141113.DescribeTasks': {
        const arns = (body.tasks ?? []) as string[];
        return reply(200, {
          tasks: arns.flatMap((a) => {
            const t = this.tasks.get(a);
            if (!t) return [];
            return [
              {
                taskArn: a,
                lastStatus: t.lastStatus,
                ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
                containers: t.containers.map((c) => ({
                  name: c.name,
                  image: c.image,
                  lastStatus: c.status,
                  ...(c.exitCode === undefined ? {} : { exitCode: c.exitCode }),
                  ...(c.reason ? { reason: c.reason } : {}),
                })),
              },
            ];
          }),
          failures: arns.filter((a) => !this.tasks.has(a)).map((a) => ({ arn: a, reason: 'MISSING' })),
        });
      }
      case 'AmazonEC2ContainerServiceV20141113.StopTask': {
        const arn = String(body.task);
        if (!this.tasks.has(arn)) return fail('InvalidParameterException', 'The referenced task was not found.');
        this.stopTask(arn, String(body.reason ?? 'Task stopped by user'));
        return reply(200, { task: { taskArn: arn, lastStatus: this.tasks.get(arn)?.lastStatus } });
      }
      default:
        return fail('UnknownOperationException', `not emulated: ${target}`);
    }
  }
}
