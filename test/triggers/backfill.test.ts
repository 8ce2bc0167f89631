import { TriggerService, handleExecutionEnded, runSchedulerTick } from '@windhover/runtime';
import { describe, expect, it } from 'vitest';
import { createTriggerWorld, flowWith, type TriggerWorld } from './trigger-world';

const key = (flowId: string) => ({ tenantId: 'main', namespace: 'company.team', flowId, triggerId: 'schedule' });

/** Ends the newest CREATED execution of the world and hands it to the trigger side; false when there is none. */
async function finishNext(w: TriggerWorld): Promise<boolean> {
  for (const r of w.requests) {
    const e = await w.executionRepo.get('main', r.id);
    if (e?.state.current === 'CREATED') {
      await handleExecutionEnded(w.deps, await w.end(r.id), w.now);
      return true;
    }
  }
  return false;
}

async function setup(trigger: Record<string, unknown> = {}) {
  const w = createTriggerWorld();
  await w.saveFlow(flowWith('hourly', { cron: '0 * * * *', inputs: { mode: 'scheduled' }, ...trigger }));
  w.setNow('2026-01-10T12:00:30Z');
  await runSchedulerTick(w.deps, w.now);
  // The 12:00 slot ran; end it so that the trigger is not locked.
  await finishNext(w);
  w.requests.length = 0;
  const service = new TriggerService(w.deps);
  return { w, service };
}

const BACKFILL = {
  start: '2026-01-01T00:00:00Z',
  end: '2026-01-05T03:00:00Z',
  inputs: { mode: 'backfill' },
  labels: [{ key: 'reason', value: 'outage' }],
};

describe('backfill', () => {
  it('replays 100 slots one after the other under the trigger lock, with its inputs and labels', async () => {
    const { w, service } = await setup();
    const ctx = await service.backfill(key('hourly'), BACKFILL);
    expect(ctx.backfill).toMatchObject({ start: '2026-01-01T00:00:00.000Z', end: '2026-01-05T03:00:00.000Z', paused: false });
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests).toHaveLength(1);
    while (await finishNext(w)) {
      // each end releases the lock and starts the next slot at once
    }
    expect(w.requests).toHaveLength(100);
    expect(w.requests[0]?.scheduleDate).toBe('2026-01-01T00:00:00.000Z');
    expect(w.requests[99]?.scheduleDate).toBe('2026-01-05T03:00:00.000Z');
    const slots = w.requests.map((r) => Date.parse(r.scheduleDate as string));
    expect(slots.every((s, i) => i === 0 || s - (slots[i - 1] as number) === 3_600_000)).toBe(true);
    expect(w.requests[50]?.inputs).toEqual({ mode: 'backfill' });
    expect(w.requests[50]?.labels).toEqual([{ key: 'reason', value: 'outage' }]);
    expect(w.requests[50]?.trigger?.variables?.date).toBe('2026-01-03T02:00:00Z');
    expect((await w.state('hourly'))?.backfill).toBeUndefined();
    // The regular schedule goes on after the backfill.
    w.setNow('2026-01-10T13:00:00.010Z');
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests.at(-1)?.scheduleDate).toBe('2026-01-10T13:00:00.000Z');
    expect(w.requests.at(-1)?.inputs).toEqual({ mode: 'scheduled' });
  });

  it('starts every slot in one tick when the trigger allows concurrent executions', async () => {
    const { w, service } = await setup({ allowConcurrent: true });
    await service.backfill(key('hourly'), BACKFILL);
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests).toHaveLength(100);
    expect(new Set(w.requests.map((r) => r.id)).size).toBe(100);
  });

  it('replays slots that already ran, as distinct executions', async () => {
    const { w, service } = await setup({ allowConcurrent: true });
    await service.backfill(key('hourly'), { start: '2026-01-10T10:00:00Z', end: '2026-01-10T12:00:00Z' });
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests.map((r) => r.scheduleDate)).toEqual(['2026-01-10T10:00:00.000Z', '2026-01-10T11:00:00.000Z', '2026-01-10T12:00:00.000Z']);
    const total = await w.executionRepo.find('main', { flowId: 'hourly', size: 100 });
    // 12:00 ran from the schedule and again from the backfill.
    expect(total.total).toBe(4);
  });

  it('pauses, resumes and deletes a backfill', async () => {
    const { w, service } = await setup();
    await service.backfill(key('hourly'), BACKFILL);
    await runSchedulerTick(w.deps, w.now);
    for (let i = 0; i < 9; i++) await finishNext(w);
    expect(w.requests).toHaveLength(10);
    await service.setBackfillPaused(key('hourly'), true);
    await finishNext(w);
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests).toHaveLength(10);
    await service.setBackfillPaused(key('hourly'), false);
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests).toHaveLength(11);
    expect(w.requests[10]?.scheduleDate).toBe('2026-01-01T10:00:00.000Z');
    await service.deleteBackfill(key('hourly'));
    await finishNext(w);
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests).toHaveLength(11);
    expect((await w.state('hourly'))?.backfill).toBeUndefined();
  });

  it('does not process a backfill while the trigger is disabled', async () => {
    const { w, service } = await setup({ allowConcurrent: true });
    await service.setDisabled(key('hourly'), true);
    await service.backfill(key('hourly'), BACKFILL);
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests).toHaveLength(0);
    await service.setDisabled(key('hourly'), false);
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests).toHaveLength(100);
  });

  it('refuses a second backfill, an end before the start, and unknown triggers', async () => {
    const { service } = await setup();
    await service.backfill(key('hourly'), BACKFILL);
    await expect(service.backfill(key('hourly'), BACKFILL)).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
    await service.deleteBackfill(key('hourly'));
    await expect(service.backfill(key('hourly'), { start: '2026-01-05T00:00:00Z', end: '2026-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'INVALID' });
    await expect(service.backfill({ ...key('hourly'), triggerId: 'nope' }, BACKFILL)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('trigger API operations', () => {
  it('lists schedule triggers with their context, unlocks and resets them', async () => {
    const { w, service } = await setup();
    await runSchedulerTick(w.deps, new Date('2026-01-10T13:00:00.010Z'));
    const [item] = await service.search('main', { namespace: 'company.team' });
    expect(item?.abstractTrigger.id).toBe('schedule');
    expect(item?.triggerContext).toMatchObject({ flowId: 'hourly', triggerId: 'schedule', disabled: false, nextExecutionDate: '2026-01-10T14:00:00.000Z' });
    expect(item?.triggerContext.executionId).toBeDefined();
    const unlocked = await service.unlock(key('hourly'));
    expect(unlocked.executionId).toBeUndefined();
    expect(await service.reset(key('hourly'))).toBe(true);
    expect(await w.state('hourly')).toBeUndefined();
    expect(await service.search('main', { query: 'nothing-matches' })).toHaveLength(0);
  });
});

describe('deprecated backfill property', () => {
  it('replays from backfill.start when the trigger is first seen, then runs on schedule', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(flowWith('legacy', { cron: '0 */6 * * *', allowConcurrent: true, backfill: { start: '2026-01-01T00:00:00Z' } }));
    w.setNow('2026-01-02T01:00:00.010Z');
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests.map((r) => r.scheduleDate)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T06:00:00.000Z',
      '2026-01-01T12:00:00.000Z',
      '2026-01-01T18:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
    ]);
    w.setNow('2026-01-02T06:00:00.010Z');
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests.at(-1)?.scheduleDate).toBe('2026-01-02T06:00:00.000Z');
    expect(w.requests).toHaveLength(6);
  });
});
