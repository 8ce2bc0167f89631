import type { ConcurrencySlots, Execution, Flow } from '@windhover/core';
import { isTerminated } from '@windhover/core';
import type { RuntimePorts } from '../runtime-ports';
import { executorMessage } from './effect-dispatcher';

/** What one sweep did, for logs and tests. */
export interface QueuedSweepResult {
  /** Flows with a concurrency limit looked at. */
  readonly flows: number;
  /** slot-freed events sent to QUEUED executions. */
  readonly notified: number;
  /** Slots or waiters dropped because their execution is gone or ended. */
  readonly released: number;
}

/** Most waiters of one flow read in one sweep (their order comes from the executions). */
const MAX_WAITERS_READ = 500;
/**
 * Sweep events of one execution share an id within this bucket, so sweeps
 * running at once (two ticks, two engines) are deduplicated. Short: a sweep
 * event refused because another execution took the slot first is applied,
 * and its id would hold the execution back until the bucket changes (the
 * local tick runs every second, the AWS one every minute).
 */
const SWEEP_BUCKET_MS = 1_000;
const ACTIVE_STATES = ['RUNNING', 'PAUSED', 'KILLING', 'RETRYING'] as const;

/**
 * The scheduler tick's safety net for flow concurrency (core-spec §6.2):
 * a slot is normally handed on when its holder ends (slot-freed to the
 * oldest QUEUED executions, found through a listing that may lag on
 * DynamoDB). A QUEUED execution that this missed, or whose message was
 * lost, would wait for the next end of the flow, forever if none comes.
 * For every flow with a limit, the sweep reads the slot store's holders and
 * waiters (one consistent read; nothing more when nobody waits), drops
 * holders and waiters whose execution is gone or ended (deleted through the
 * API, killed while QUEUED), and sends slot-freed to the oldest QUEUED
 * waiters while slots are free. The executor's atomic tryAcquire keeps the
 * limit exact, so a sweep racing a normal release never over-starts.
 */
export async function sweepQueuedExecutions(ports: RuntimePorts, tenantIds: readonly string[]): Promise<QueuedSweepResult> {
  const bucket = Math.floor(ports.clock.now().getTime() / SWEEP_BUCKET_MS);
  let flows = 0;
  let notified = 0;
  let released = 0;
  for (const tenantId of tenantIds) {
    for (const fw of await ports.flows.list(tenantId)) {
      const flow = fw.flow;
      if (fw.deleted || flow.deleted || !flow.concurrency) continue;
      flows++;
      const result = ports.slots ? await sweepWithSlots(ports, ports.slots, tenantId, flow, flow.concurrency.limit) : await sweepByListing(ports, tenantId, flow, flow.concurrency.limit);
      released += result.released;
      const messages = result.start.map((e) =>
        executorMessage({ type: 'slot-freed', id: `${e.id}:slot:sweep:${e.state.histories.length}:${bucket}`, tenantId: e.tenantId, executionId: e.id }),
      );
      if (messages.length > 0) await ports.queue.sendToExecutor(messages);
      notified += messages.length;
    }
  }
  return { flows, notified, released };
}

interface FlowSweep {
  readonly start: readonly Execution[];
  readonly released: number;
}

const gone = (e: Execution | undefined): boolean => !e || e.deleted || isTerminated(e.state.current);

async function sweepWithSlots(ports: RuntimePorts, slots: ConcurrencySlots, tenantId: string, flow: Flow, limit: number): Promise<FlowSweep> {
  const { namespace, id: flowId } = flow;
  const snap = await slots.snapshot(tenantId, namespace, flowId);
  if (snap.waiting.length === 0) return { start: [], released: 0 };
  let released = 0;
  let free = limit - snap.active.length;
  if (free <= 0) {
    // Someone waits and every slot is held: a holder that is gone or ended without releasing leaks its slot.
    for (const holder of snap.active) {
      if (!gone(await ports.executions.get(tenantId, holder))) continue;
      await slots.release(tenantId, namespace, flowId, holder);
      released++;
      free++;
    }
  }
  const waiters = await getAll(ports, tenantId, snap.waiting.slice(0, MAX_WAITERS_READ));
  const queued: Execution[] = [];
  for (const [id, e] of waiters) {
    if (gone(e)) {
      await slots.release(tenantId, namespace, flowId, id);
      released++;
    } else if (e?.state.current === 'QUEUED') {
      queued.push(e);
    }
  }
  if (free <= 0) return { start: [], released };
  return { start: oldestFirst(queued).slice(0, free), released };
}

/** Without a slot store: the first QUEUED executions of the flow while fewer than `limit` are active. */
async function sweepByListing(ports: RuntimePorts, tenantId: string, flow: Flow, limit: number): Promise<FlowSweep> {
  const query = { namespace: flow.namespace, flowId: flow.id } as const;
  const queued = (await ports.executions.find(tenantId, { ...query, states: ['QUEUED'], sort: 'startDate:asc', size: limit })).results.filter(
    (e) => e.namespace === flow.namespace,
  );
  if (queued.length === 0) return { start: [], released: 0 };
  const active = (await ports.executions.find(tenantId, { ...query, states: ACTIVE_STATES, size: limit + 1 })).results.filter((e) => e.namespace === flow.namespace);
  return { start: queued.slice(0, Math.max(0, limit - active.length)), released: 0 };
}

async function getAll(ports: RuntimePorts, tenantId: string, ids: readonly string[]): Promise<Map<string, Execution | undefined>> {
  const out = new Map<string, Execution | undefined>();
  for (let i = 0; i < ids.length; i += 16) {
    const chunk = ids.slice(i, i + 16);
    const found = await Promise.all(chunk.map((id) => ports.executions.get(tenantId, id)));
    for (const [j, id] of chunk.entries()) out.set(id, found[j]);
  }
  return out;
}

const oldestFirst = (list: readonly Execution[]): Execution[] =>
  [...list].sort((a, b) => (a.state.startDate === b.state.startDate ? a.id.localeCompare(b.id) : a.state.startDate < b.state.startDate ? -1 : 1));
