import { handleExecutionEnded, runSchedulerTick } from '@windhover/runtime';
import { describe, expect, it } from 'vitest';
import { createTriggerWorld, flowWith, type TriggerWorld } from './trigger-world';

const MINUTE = 60_000;

/** Ticks once per minute from the world's clock up to (excluding) `until`, as the local loop does. */
async function tickUntil(w: TriggerWorld, until: string, onTick?: () => Promise<void>): Promise<void> {
  const end = Date.parse(until);
  for (let t = w.now.getTime(); t < end; t += MINUTE) {
    w.setNow(new Date(t));
    await runSchedulerTick(w.deps, w.now);
    if (onTick) await onTick();
  }
  w.setNow(new Date(end));
}

/** Ends every execution still CREATED, as SUCCESS, and tells the trigger side. */
async function finishAll(w: TriggerWorld): Promise<void> {
  for (const r of [...w.requests]) {
    const e = await w.executionRepo.get('main', r.id);
    if (e && e.state.current === 'CREATED') await handleExecutionEnded(w.deps, await w.end(r.id), w.now);
  }
}

const dates = (w: TriggerWorld) => w.requests.map((r) => r.scheduleDate);

describe('scheduler tick', () => {
  it('starts one execution per slot, with trigger.date, next and previous, and the rendered inputs', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(flowWith('every15', { cron: '*/15 * * * *', allowConcurrent: true, inputs: { user: 'John Smith' } }));
    w.setNow('2026-01-01T10:00:00.020Z');
    await tickUntil(w, '2026-01-01T11:00:00Z');
    expect(dates(w)).toEqual(['2026-01-01T10:00:00.000Z', '2026-01-01T10:15:00.000Z', '2026-01-01T10:30:00.000Z', '2026-01-01T10:45:00.000Z']);
    const second = w.requests[1];
    expect(second?.trigger?.variables).toEqual({
      date: '2026-01-01T10:15:00Z',
      next: '2026-01-01T10:30:00Z',
      previous: '2026-01-01T10:00:00Z',
      id: 'schedule',
      type: 'io.kestra.plugin.core.trigger.Schedule',
    });
    expect(second?.inputs).toEqual({ user: 'John Smith' });
    const stored = await w.executionRepo.get('main', second?.id as string);
    expect(stored?.scheduleDate).toBe('2026-01-01T10:15:00.000Z');
    expect((await w.state('every15'))?.nextExecutionDate).toBe('2026-01-01T11:00:00.000Z');
  });

  it('fires exactly once per slot when ticks overlap or are retried', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(flowWith('dup', { cron: '* * * * *', allowConcurrent: true }));
    for (let m = 0; m < 5; m++) {
      w.setNow(new Date(Date.parse('2026-01-01T10:00:00Z') + m * MINUTE + 5));
      // Two overlapping ticks, then a retry of the same tick.
      await Promise.all([runSchedulerTick(w.deps, w.now), runSchedulerTick(w.deps, w.now)]);
      await runSchedulerTick(w.deps, w.now);
    }
    expect(dates(w)).toEqual([
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T10:01:00.000Z',
      '2026-01-01T10:02:00.000Z',
      '2026-01-01T10:03:00.000Z',
      '2026-01-01T10:04:00.000Z',
    ]);
    const all = await w.executionRepo.find('main', { flowId: 'dup', size: 100 });
    expect(all.total).toBe(5);
  });

  it('schedules every second-level start of the coming minute from a one-minute tick', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(flowWith('secs', { cron: '*/10 * * * * *', withSeconds: true, allowConcurrent: true }));
    w.setNow('2026-01-01T10:00:00.003Z');
    await runSchedulerTick(w.deps, w.now);
    expect(dates(w)).toEqual([
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T10:00:10.000Z',
      '2026-01-01T10:00:20.000Z',
      '2026-01-01T10:00:30.000Z',
      '2026-01-01T10:00:40.000Z',
      '2026-01-01T10:00:50.000Z',
    ]);
    expect(w.requests[2]?.trigger?.variables?.next).toBe('2026-01-01T10:00:30Z');
  });

  it('queues slots behind a running execution when allowConcurrent is false, and starts the next one when it ends', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(flowWith('locked', { cron: '*/20 * * * * *', withSeconds: true }));
    w.setNow('2026-01-01T10:00:00.001Z');
    await runSchedulerTick(w.deps, w.now);
    expect(dates(w)).toEqual(['2026-01-01T10:00:00.000Z']);
    expect((await w.state('locked'))?.executionId).toBe(w.requests[0]?.id);
    w.setNow('2026-01-01T10:00:25Z');
    const ended = await w.end(w.requests[0]?.id as string);
    await handleExecutionEnded(w.deps, ended, w.now);
    // The 10:00:20 slot waited for the lock and starts at once (late, not lost).
    expect(dates(w)).toEqual(['2026-01-01T10:00:00.000Z', '2026-01-01T10:00:20.000Z']);
    // Ticking while locked starts nothing.
    w.setNow('2026-01-01T10:01:00.001Z');
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests).toHaveLength(2);
  });

  it('follows daylight-saving transitions in the trigger time zone', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(flowWith('dst', { cron: '30 2 * * *', timezone: 'Europe/Paris', allowConcurrent: true }));
    w.setNow('2026-03-27T12:00:00Z');
    await tickUntil(w, '2026-03-31T12:00:00Z');
    expect(w.requests.map((r) => r.trigger?.variables?.date)).toEqual([
      '2026-03-28T02:30:00+01:00',
      '2026-03-29T03:00:00+02:00',
      '2026-03-30T02:30:00+02:00',
      '2026-03-31T02:30:00+02:00',
    ]);
    const w2 = createTriggerWorld();
    await w2.saveFlow(flowWith('dst', { cron: '30 2 * * *', timezone: 'Europe/Paris', allowConcurrent: true }));
    w2.setNow('2026-10-24T12:00:00Z');
    await tickUntil(w2, '2026-10-26T12:00:00Z');
    expect(w2.requests.map((r) => r.trigger?.variables?.date)).toEqual(['2026-10-25T02:30:00+02:00', '2026-10-26T02:30:00+01:00']);
  });

  describe('after the scheduler was down', () => {
    async function downtime(recover: string | undefined, extra: Record<string, unknown> = {}) {
      const w = createTriggerWorld();
      await w.saveFlow(flowWith('hourly', { cron: '0 * * * *', allowConcurrent: true, ...(recover ? { recoverMissedSchedules: recover } : {}), ...extra }));
      w.setNow('2026-01-01T09:59:00Z');
      await tickUntil(w, '2026-01-01T10:01:00Z');
      expect(dates(w)).toEqual(['2026-01-01T10:00:00.000Z']);
      // Down from 10:01 to 15:30: the 11:00 to 15:00 slots are missed.
      w.setNow('2026-01-01T15:30:00.010Z');
      await runSchedulerTick(w.deps, w.now);
      return w;
    }

    it('replays every missed slot with ALL (the default)', async () => {
      const w = await downtime(undefined);
      expect(dates(w)).toEqual([
        '2026-01-01T10:00:00.000Z',
        '2026-01-01T11:00:00.000Z',
        '2026-01-01T12:00:00.000Z',
        '2026-01-01T13:00:00.000Z',
        '2026-01-01T14:00:00.000Z',
        '2026-01-01T15:00:00.000Z',
      ]);
      expect((await w.state('hourly'))?.nextExecutionDate).toBe('2026-01-01T16:00:00.000Z');
    });

    it('replays only the latest missed slot with LAST', async () => {
      const w = await downtime('LAST');
      expect(dates(w)).toEqual(['2026-01-01T10:00:00.000Z', '2026-01-01T15:00:00.000Z']);
    });

    it('replays nothing with NONE and goes on from now', async () => {
      const w = await downtime('NONE');
      expect(dates(w)).toEqual(['2026-01-01T10:00:00.000Z']);
      await tickUntil(w, '2026-01-01T16:01:00Z');
      expect(dates(w)).toEqual(['2026-01-01T10:00:00.000Z', '2026-01-01T16:00:00.000Z']);
    });

    it('skips slots later than lateMaximumDelay', async () => {
      const w = await downtime(undefined, { lateMaximumDelay: 'PT2H' });
      expect(dates(w)).toEqual(['2026-01-01T10:00:00.000Z', '2026-01-01T14:00:00.000Z', '2026-01-01T15:00:00.000Z']);
    });

    it('replays missed slots one after the other when the trigger locks', async () => {
      const w = createTriggerWorld();
      await w.saveFlow(flowWith('seq', { cron: '0 * * * *' }));
      w.setNow('2026-01-01T09:59:00Z');
      await runSchedulerTick(w.deps, w.now);
      w.setNow('2026-01-01T13:30:00Z');
      await runSchedulerTick(w.deps, w.now);
      expect(dates(w)).toEqual(['2026-01-01T10:00:00.000Z']);
      await finishAll(w);
      await finishAll(w);
      await finishAll(w);
      expect(dates(w)).toEqual(['2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z', '2026-01-01T12:00:00.000Z', '2026-01-01T13:00:00.000Z']);
    });
  });

  it('applies schedule conditions, and computes trigger.next and previous with them', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(
      flowWith('firstMonday', {
        cron: '0 11 * * *',
        allowConcurrent: true,
        conditions: [{ type: 'io.kestra.plugin.core.condition.DayWeekInMonth', date: '{{ trigger.date }}', dayOfWeek: 'MONDAY', dayInMonth: 'FIRST' }],
      }),
    );
    w.setNow('2026-01-31T00:00:00Z');
    // Tick hourly through February: each daily slot is in the current minute of one tick.
    for (let t = Date.parse('2026-01-31T11:00:00Z'); t < Date.parse('2026-03-03T00:00:00Z'); t += 86_400_000) {
      w.setNow(new Date(t));
      await runSchedulerTick(w.deps, w.now);
    }
    expect(dates(w)).toEqual(['2026-02-02T11:00:00.000Z', '2026-03-02T11:00:00.000Z']);
    expect(w.requests[0]?.trigger?.variables).toMatchObject({ previous: '2026-01-05T11:00:00Z', next: '2026-03-02T11:00:00Z' });
  });

  it('stops after an execution ends in a stopAfter state', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(flowWith('critical', { cron: '* * * * *', stopAfter: ['FAILED'] }));
    w.setNow('2026-01-01T10:00:00Z');
    await runSchedulerTick(w.deps, w.now);
    await handleExecutionEnded(w.deps, await w.end(w.requests[0]?.id as string, 'FAILED'), w.now);
    expect((await w.state('critical'))?.disabled).toBe(true);
    await tickUntil(w, '2026-01-01T10:10:00Z');
    expect(w.requests).toHaveLength(1);
  });

  it('stops within one tick when the trigger or flow is disabled, and forgets a deleted flow', async () => {
    const w = createTriggerWorld();
    const fw = await w.saveFlow(flowWith('toggled', { cron: '* * * * *', allowConcurrent: true }));
    w.setNow('2026-01-01T10:00:00Z');
    await runSchedulerTick(w.deps, w.now);
    await w.saveFlow({ ...fw.flow, disabled: true });
    await tickUntil(w, '2026-01-01T10:05:00Z');
    expect(w.requests).toHaveLength(1);
    await w.saveFlow({ ...fw.flow, disabled: false });
    await tickUntil(w, '2026-01-01T10:07:00Z');
    // Re-enabled: restarts from now rather than replaying the disabled period.
    expect(dates(w)).toEqual(['2026-01-01T10:00:00.000Z', '2026-01-01T10:05:00.000Z', '2026-01-01T10:06:00.000Z']);
    await w.deleteFlow('company.team', 'toggled');
    const result = await runSchedulerTick(w.deps, w.now);
    expect(result.removed).toBe(1);
    expect(await w.state('toggled')).toBeUndefined();
  });

  it('logs and goes on when one trigger is broken', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(flowWith('broken', { cron: 'not a cron' }));
    await w.saveFlow(flowWith('fine', { cron: '* * * * *' }));
    w.setNow('2026-01-01T10:00:00Z');
    const result = await runSchedulerTick(w.deps, w.now);
    expect(result).toMatchObject({ evaluated: 2, failed: 1, started: 1 });
    expect(w.logger.lines.find((l) => l.level === 'error')?.attributes?.trigger).toBe('main/company.team/broken/schedule');
  });
});

describe('schedule conditions with real calendars', () => {
  it('skips French public holidays and weekends with Not(PublicHoliday) and Not(Weekend)', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(
      flowWith('workdays', {
        cron: '0 9 * * *',
        timezone: 'Europe/Paris',
        allowConcurrent: true,
        conditions: [
          { type: 'io.kestra.plugin.core.condition.Not', conditions: [{ type: 'io.kestra.plugin.core.condition.PublicHoliday', country: 'FR' }] },
          { type: 'io.kestra.plugin.core.condition.Not', conditions: [{ type: 'io.kestra.plugin.core.condition.Weekend' }] },
        ],
      }),
    );
    for (let t = Date.parse('2026-07-10T07:00:00Z'); t < Date.parse('2026-07-17T00:00:00Z'); t += 86_400_000) {
      w.setNow(new Date(t));
      await runSchedulerTick(w.deps, w.now);
    }
    // Fri 10, Mon 13, Wed 15, Thu 16: Sat 11 and Sun 12 are weekend days, Tue 14 July is a holiday.
    expect(w.requests.map((r) => r.trigger?.variables?.date)).toEqual([
      '2026-07-10T09:00:00+02:00',
      '2026-07-13T09:00:00+02:00',
      '2026-07-15T09:00:00+02:00',
      '2026-07-16T09:00:00+02:00',
    ]);
    expect(w.requests[1]?.trigger?.variables?.next).toBe('2026-07-15T09:00:00+02:00');
  });
});

describe('recovery of a tick that died after its claim', () => {
  it('starts the slots a dead tick claimed but left pending, once the claim is stale', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(flowWith('crashy', { cron: '0 * * * *', allowConcurrent: true }));
    // A tick claimed 10:00 at 10:00:00 and died before creating the execution.
    await w.triggers.save(
      {
        tenantId: 'main',
        namespace: 'company.team',
        flowId: 'crashy',
        triggerId: 'schedule',
        type: 'io.kestra.plugin.core.trigger.Schedule',
        disabled: false,
        scheduleKey: '0 * * * *|false|UTC',
        nextExecutionDate: '2026-01-01T11:00:00.000Z',
        date: '2026-01-01T10:00:00.000Z',
        pending: [{ date: '2026-01-01T10:00:00.000Z', executionId: 'claimedBy0DeadTick0001' }],
        updatedDate: '2026-01-01T10:00:00.000Z',
      },
      undefined,
    );
    // Ten seconds later the claimer may still be working: leave it alone.
    w.setNow('2026-01-01T10:00:10Z');
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests).toHaveLength(0);
    // At the next tick the claim is stale: its slot starts, with the claimed id, and the outbox empties.
    w.setNow('2026-01-01T10:01:00Z');
    await runSchedulerTick(w.deps, w.now);
    expect(w.requests.map((r) => [r.id, r.scheduleDate])).toEqual([['claimedBy0DeadTick0001', '2026-01-01T10:00:00.000Z']]);
    expect((await w.state('crashy'))?.pending).toBeUndefined();
    await runSchedulerTick(w.deps, new Date('2026-01-01T10:02:00Z'));
    expect(w.requests).toHaveLength(1);
  });
});

describe('flow updates', () => {
  it('restarts a trigger from now when its cron changes, and forgets a trigger removed from the flow', async () => {
    const w = createTriggerWorld();
    const fw = await w.saveFlow(flowWith('edited', { cron: '0 * * * *', allowConcurrent: true }));
    w.setNow('2026-01-01T10:00:00.010Z');
    await runSchedulerTick(w.deps, w.now);
    await w.saveFlow({ ...fw.flow, triggers: [{ id: 'schedule', type: 'io.kestra.plugin.core.trigger.Schedule', cron: '*/30 * * * *', allowConcurrent: true }] });
    // Down for an hour: the new cron does not replay the old schedule's missed slots.
    w.setNow('2026-01-01T11:10:00.010Z');
    await runSchedulerTick(w.deps, w.now);
    expect((await w.state('edited'))?.scheduleKey).toBe('*/30 * * * *|false|UTC');
    await tickUntil(w, '2026-01-01T12:01:00Z');
    expect(dates(w)).toEqual(['2026-01-01T10:00:00.000Z', '2026-01-01T11:30:00.000Z', '2026-01-01T12:00:00.000Z']);
    await w.saveFlow({ ...fw.flow, triggers: [] });
    const result = await runSchedulerTick(w.deps, w.now);
    expect(result).toMatchObject({ evaluated: 0, removed: 1 });
    expect(await w.state('edited')).toBeUndefined();
  });
});

describe('a slot whose execution cannot be created', () => {
  it('is logged and dropped, and does not keep the trigger locked', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(flowWith('invalid', { cron: '* * * * *' }));
    let refuse = true;
    const deps = {
      ...w.deps,
      executions: {
        create: async (request: Parameters<typeof w.deps.executions.create>[0]) => {
          if (refuse) throw new Error("Invalid input 'count': 'abc' is not an integer");
          return w.deps.executions.create(request);
        },
      },
    };
    w.setNow('2026-01-01T10:00:00.010Z');
    await runSchedulerTick(deps, w.now);
    expect(w.logger.lines.some((l) => l.message === 'schedule trigger could not start an execution')).toBe(true);
    const state = await w.state('invalid');
    expect(state?.executionId).toBeUndefined();
    expect(state?.pending).toBeUndefined();
    refuse = false;
    w.setNow('2026-01-01T10:01:00.010Z');
    await runSchedulerTick(deps, w.now);
    expect(dates(w)).toEqual(['2026-01-01T10:01:00.000Z']);
  });
});
