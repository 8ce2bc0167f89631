import { DynamoConcurrencySlots, DynamoExecutionRepository, DynamoFlowRepository, DynamoTimerStore } from '@windhover/aws';
import type { AwsClients, AwsConfig } from '@windhover/aws';
import type { Execution } from '@windhover/core';
import { isTerminated } from '@windhover/core';
import type { RuntimePorts } from '@windhover/runtime';
import { createEngine } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AwsEmulators, createDeployment, destroyAwsClients, startAwsEmulators } from '../aws/support/emulators';
import { expectTwoEnginesKeepTheLimit, isLostNotification } from './concurrency-two-engines';
import { type EngineWorld, startEngineWorld } from './engine-world';

let emulators: AwsEmulators;
let clients: AwsClients;
let config: AwsConfig;
let w: EngineWorld | undefined;

beforeAll(async () => {
  emulators = await startAwsEmulators();
  ({ clients, config } = await createDeployment());
}, 120_000);

afterAll(async () => {
  destroyAwsClients(clients);
  await emulators.stop();
});

afterEach(async () => {
  await w?.close();
  w = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The AWS edition's stores (flows, executions with their GSIs, timers, slots) on DynamoDB Local; the queue stays local. */
function dynamoWorld(): { world: EngineWorld; ports: RuntimePorts } {
  const world = startEngineWorld({ consume: false });
  w = world;
  const ports: RuntimePorts = {
    ...world.ports,
    flows: new DynamoFlowRepository(clients.doc, config.tableName),
    executions: new DynamoExecutionRepository(clients.doc, config.tableName),
    timers: new DynamoTimerStore(clients.doc, config.tableName),
    slots: new DynamoConcurrencySlots(clients.doc, config.tableName),
  };
  // deploy() writes through the world's ports: point it at DynamoDB too.
  Object.assign(world.ports, { flows: ports.flows });
  return { world, ports };
}

describe('flow concurrency on DynamoDB Local', () => {
  it('starts at the next sweep a QUEUED execution whose slot-freed message was lost', async () => {
    const { world, ports } = dynamoWorld();
    const engine = createEngine(ports, { registry: createTaskRegistry() });
    const lost: string[] = [];
    world.queue.consume('executor', async (body) => {
      if (isLostNotification(body)) {
        lost.push(body);
        return;
      }
      await engine.handleExecutorMessage(body);
    });
    world.queue.consume('worker', (body) => engine.handleWorkerMessage(body));
    await world.deploy(`
id: lost
namespace: company.dynamo
concurrency: { limit: 1 }
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.3S }
`);
    const until = async (id: string, want: string): Promise<Execution> => {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(20)) {
        const e = await ports.executions.get('main', id);
        if (e?.state.current === want) return e;
      }
      throw new Error(`execution ${id} did not become ${want}`);
    };
    const create = () => engine.executionService.create({ tenantId: 'main', namespace: 'company.dynamo', flowId: 'lost', inputs: {} });
    const a = await create();
    await until(a.id, 'RUNNING');
    const b = await create();
    await until(b.id, 'QUEUED');
    const doneA = await until(a.id, 'SUCCESS');
    for (const deadline = Date.now() + 5_000; Date.now() < deadline && lost.length === 0; await sleep(20));
    expect(lost.length).toBeGreaterThan(0);
    expect((await ports.executions.get('main', b.id))?.state.current).toBe('QUEUED');
    expect(await ports.slots?.snapshot('main', 'company.dynamo', 'lost')).toEqual({ active: [], waiting: [b.id] });

    expect((await engine.sweepQueued()).notified).toBe(1);
    const doneB = await until(b.id, 'SUCCESS');
    expect(isTerminated(doneB.state.current)).toBe(true);
    expect(Date.parse(doneB.state.histories.find((h) => h.state === 'RUNNING')?.date ?? '')).toBeGreaterThanOrEqual(Date.parse(doneA.state.endDate ?? ''));
  }, 60_000);

  it('never runs two executions of a limit-1 flow at once when two engines sweep, start and restart in parallel', async () => {
    const { world, ports } = dynamoWorld();
    // DynamoDB Local answers in milliseconds, not microseconds: sweep as a busy scheduler would, not in a tight loop.
    await expectTwoEnginesKeepTheLimit(world, ports, 'company.dynamo.shared', { timeoutMs: 60_000, sweepEveryMs: 100 });
  }, 120_000);
});
