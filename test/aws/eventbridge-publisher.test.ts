import { DeleteRuleCommand, ListRulesCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { type AwsClients, type AwsConfig, EventBridgeEventPublisher, type ExecutionEvent } from '@windhover/aws';
import type { Execution, Logger } from '@windhover/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAwsApp } from '../../functions/shared/aws-app';
import { type AwsEmulators, createDeployment, destroyAwsClients, startAwsEmulators, uniqueName } from './support/emulators';

/**
 * The execution-ended event costs a PutEvents entry whether or not a rule
 * matches it, so the publisher sends it only while the bus has a rule. The
 * real EventBridge SDK client talks to the JSON fake over HTTP.
 */
let emulators: AwsEmulators;
let clients: AwsClients;
let config: AwsConfig;

beforeAll(async () => {
  emulators = await startAwsEmulators();
  ({ clients, config } = await createDeployment());
}, 120_000);

afterAll(async () => {
  destroyAwsClients(clients);
  await emulators?.stop();
});

afterEach(() => {
  emulators.fake.failing.clear();
  emulators.fake.listRulesPageSize = 100;
});

const ended = (executionId: string): ExecutionEvent => ({
  type: 'Execution SUCCESS',
  detail: { executionId, namespace: 'company.team' },
});
const publishedTo = (bus: string) => emulators.fake.events.filter((e) => e.EventBusName === bus);
const calls = (op: string) => emulators.fake.calls.filter((c) => c === op).length;
const putRule = (bus: string, name: string, state: 'ENABLED' | 'DISABLED' = 'ENABLED') =>
  clients.events.send(new PutRuleCommand({ EventBusName: bus, Name: name, State: state, EventPattern: JSON.stringify({ source: ['windhover'] }) }));

describe('EventBridgeEventPublisher', () => {
  it('sends no PutEvents while the bus has no rule', async () => {
    const bus = uniqueName('bus');
    const putEventsBefore = calls('PutEvents');
    const listRulesBefore = calls('ListRules');
    const publisher = new EventBridgeEventPublisher(clients.events, bus);
    await publisher.publish([ended('e1')]);
    await publisher.publish([ended('e2'), ended('e3')]);
    expect(publishedTo(bus)).toEqual([]);
    expect(calls('PutEvents') - putEventsBefore).toBe(0);
    // The answer is cached: one ListRules for both publishes.
    expect(calls('ListRules') - listRulesBefore).toBe(1);
  });

  it('publishes once the cached answer (60 s by default) expires after a rule was added, and stops after it was deleted', async () => {
    const bus = uniqueName('bus');
    let now = 1_000_000;
    const publisher = new EventBridgeEventPublisher(clients.events, bus, { now: () => now });
    await publisher.publish([ended('before-rule')]);
    await putRule(bus, 'failed-executions');

    // Within the cache lifetime the process still believes nobody listens.
    now += 59_999;
    await publisher.publish([ended('cached')]);
    expect(publishedTo(bus)).toEqual([]);

    now += 1;
    await publisher.publish([ended('after-rule')]);
    expect(publishedTo(bus).map((e) => JSON.parse(e.Detail ?? '{}').executionId)).toEqual(['after-rule']);
    expect(publishedTo(bus)[0]).toMatchObject({ Source: 'windhover', DetailType: 'Execution SUCCESS' });

    await clients.events.send(new DeleteRuleCommand({ EventBusName: bus, Name: 'failed-executions' }));
    now += 60_000;
    await publisher.publish([ended('after-delete')]);
    expect(publishedTo(bus)).toHaveLength(1);
  });

  it('asks before every publish with a cache lifetime of 0', async () => {
    const bus = uniqueName('bus');
    const publisher = new EventBridgeEventPublisher(clients.events, bus, { ruleCacheMs: 0 });
    const listRulesBefore = calls('ListRules');
    await publisher.publish([ended('a')]);
    await putRule(bus, 'mine');
    await publisher.publish([ended('b')]);
    expect(publishedTo(bus).map((e) => JSON.parse(e.Detail ?? '{}').executionId)).toEqual(['b']);
    expect(calls('ListRules') - listRulesBefore).toBe(2);
  });

  it('publishes anyway when ListRules fails, and says so', async () => {
    const bus = uniqueName('bus');
    emulators.fake.failing.set('ListRules', 'AccessDeniedException');
    const warnings: { message: string; attributes?: Readonly<Record<string, unknown>> }[] = [];
    const logger: Pick<Logger, 'warn'> = { warn: (message, attributes) => warnings.push({ message, ...(attributes ? { attributes } : {}) }) };
    const publisher = new EventBridgeEventPublisher(clients.events, bus, { logger });
    await publisher.publish([ended('no-answer')]);
    expect(publishedTo(bus).map((e) => JSON.parse(e.Detail ?? '{}').executionId)).toEqual(['no-answer']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain('ListRules failed');
    expect(String(warnings[0].attributes?.error)).toContain('AccessDeniedException');
  });

  it('walks every ListRules page and ignores disabled rules', async () => {
    const bus = uniqueName('bus');
    emulators.fake.listRulesPageSize = 2;
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) await putRule(bus, name, 'DISABLED');
    const page = await clients.events.send(new ListRulesCommand({ EventBusName: bus }));
    expect(page.Rules?.map((r) => [r.Name, r.State, r.EventBusName])).toEqual([
      ['a1', 'DISABLED', bus],
      ['a2', 'DISABLED', bus],
    ]);
    expect(page.NextToken).toBeDefined();

    const onlyDisabled = new EventBridgeEventPublisher(clients.events, bus, { ruleCacheMs: 0 });
    const listRulesBefore = calls('ListRules');
    await onlyDisabled.publish([ended('disabled-only')]);
    expect(calls('ListRules') - listRulesBefore).toBe(3);
    expect(publishedTo(bus)).toEqual([]);

    // An enabled rule on the last page is found.
    await putRule(bus, 'z-enabled');
    await onlyDisabled.publish([ended('enabled-on-last-page')]);
    expect(publishedTo(bus).map((e) => JSON.parse(e.Detail ?? '{}').executionId)).toEqual(['enabled-on-last-page']);
  });

  it('looks only at rules of its own bus', async () => {
    const bus = uniqueName('bus');
    await putRule(uniqueName('other-bus'), 'elsewhere');
    await putRule('default', 'on-default-bus');
    await new EventBridgeEventPublisher(clients.events, bus, { ruleCacheMs: 0 }).publish([ended('x')]);
    expect(publishedTo(bus)).toEqual([]);
  });

  it('shares one ListRules call between concurrent publishes', async () => {
    const bus = uniqueName('bus');
    await putRule(bus, 'mine');
    const publisher = new EventBridgeEventPublisher(clients.events, bus);
    const listRulesBefore = calls('ListRules');
    await Promise.all(Array.from({ length: 5 }, (_, i) => publisher.publish([ended(`c${i}`)])));
    expect(calls('ListRules') - listRulesBefore).toBe(1);
    expect(publishedTo(bus)).toHaveLength(5);
  });

  it('publishes execution events to the bus in batches of ten', async () => {
    const bus = uniqueName('bus');
    await putRule(bus, 'all');
    const publisher = new EventBridgeEventPublisher(clients.events, bus);
    const putEventsBefore = calls('PutEvents');
    await publisher.publish(
      Array.from({ length: 23 }, (_, i) => ({ type: 'Execution SUCCESS', detail: { executionId: `e${i}`, namespace: 'company.team' } })),
    );
    const mine = publishedTo(bus);
    expect(mine).toHaveLength(23);
    expect(mine[0]).toMatchObject({ Source: 'windhover', DetailType: 'Execution SUCCESS' });
    expect(JSON.parse(mine[22].Detail ?? '{}')).toEqual({ executionId: 'e22', namespace: 'company.team' });
    expect(calls('PutEvents') - putEventsBefore).toBe(3);
  });
});

describe('execution-ended events of the AWS app', () => {
  const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const startDate = '2026-01-01T00:00:00.000Z';
  const created = (id: string): Execution => ({
    tenantId: 'main',
    id,
    namespace: 'company.team',
    flowId: 'hello',
    flowRevision: 1,
    state: { current: 'RUNNING', histories: [{ state: 'RUNNING', date: startDate }], startDate },
    taskRunList: [],
    labels: [],
    originalId: id,
    metadata: { attemptNumber: 1, originalCreatedDate: startDate },
    deleted: false,
  });
  /** Saves an execution, then saves it ended, through the app's observed repository. */
  const runToEnd = async (executionEvents: boolean, bus: string): Promise<string> => {
    const app = await createAwsApp(
      { aws: { ...config, eventBusName: bus, eventRuleCacheMs: 0 }, baseUrl: '', tenants: ['main'], meterRequests: false, executionEvents },
      { logger: silent, clients, auth: {} },
    );
    const id = uniqueName('exec');
    const saved = await app.ports.executions.save(created(id), undefined);
    const endDate = '2026-01-01T00:00:01.000Z';
    await app.ports.executions.save(
      { ...saved, state: { ...saved.state, current: 'SUCCESS', histories: [...saved.state.histories, { state: 'SUCCESS', date: endDate }], endDate } },
      saved.version,
    );
    return id;
  };
  const executionIds = (bus: string) => publishedTo(bus).map((e) => JSON.parse(e.Detail ?? '{}').executionId);

  it('publishes the end of an execution when the bus has a rule', async () => {
    const bus = uniqueName('bus');
    await putRule(bus, 'mine');
    const id = await runToEnd(true, bus);
    expect(executionIds(bus)).toEqual([id]);
    expect(publishedTo(bus)[0]).toMatchObject({ Source: 'windhover', DetailType: 'Execution SUCCESS' });
  });

  it('does not publish when the bus has no rule', async () => {
    const bus = uniqueName('bus');
    const listRulesBefore = calls('ListRules');
    await runToEnd(true, bus);
    expect(calls('ListRules') - listRulesBefore).toBe(1);
    expect(publishedTo(bus)).toEqual([]);
  });

  it('never publishes nor asks EventBridge with executionEvents=false, even with a rule', async () => {
    const bus = uniqueName('bus');
    await putRule(bus, 'mine');
    const listRulesBefore = calls('ListRules');
    await runToEnd(false, bus);
    expect(publishedTo(bus)).toEqual([]);
    expect(calls('ListRules') - listRulesBefore).toBe(0);
  });
});
