import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TriggerServer, startTriggerServer } from './trigger-server';

const SCHEDULED = `id: scheduled
namespace: company.team
inputs:
  - id: user
    type: STRING
    defaults: nobody
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ inputs.user }} at {{ trigger.date }}"
triggers:
  - id: schedule
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * *"
    inputs:
      user: John Smith
`;

const UPSTREAM = `id: flow_a
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: upstream
outputs:
  - id: return_value
    type: STRING
    value: "Flow A ran"
`;

const DOWNSTREAM = `id: flow_b
namespace: company.team
inputs:
  - id: value_from_a
    type: STRING
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.value_from_a }}"
triggers:
  - id: upstream_dep
    type: io.kestra.plugin.core.trigger.Flow
    inputs:
      value_from_a: "{{ trigger.outputs.return_value }}"
    preconditions:
      id: test
      flows:
        - namespace: company.team
          flowId: flow_a
          states: [SUCCESS]
`;

const SECONDS = `id: seconds
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "slot {{ trigger.date }}"
triggers:
  - id: schedule
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "*/5 * * * * *"
    withSeconds: true
    allowConcurrent: true
`;

type Json = Record<string, unknown>;

describe('triggers on the engine and the triggers API over HTTP', () => {
  let s: TriggerServer;
  const search = async (flowId: string) =>
    (await s.call('GET', `/api/v1/main/executions/search?namespace=company.team&flowId=${flowId}&size=100`)).json as { total: number; results: Json[] };
  const waitFor = async <T>(probe: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 400; i++) {
      const v = await probe();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('timed out');
  };

  beforeAll(async () => {
    s = await startTriggerServer();
    for (const flow of [SCHEDULED, UPSTREAM, DOWNSTREAM, SECONDS]) {
      const r = await s.call('POST', '/api/v1/main/flows', { body: flow, headers: { 'content-type': 'application/x-yaml' } });
      expect(r.status, r.text).toBe(200);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('runs a scheduled slot through the engine once, however often the tick runs', async () => {
    const now = new Date();
    await s.runtime.tick(now);
    await s.runtime.tick(now);
    const done = await waitFor(async () => {
      const r = await search('scheduled');
      const e = r.results[0];
      return e && (e.state as Json).current === 'SUCCESS' ? r : undefined;
    });
    expect(done.total).toBe(1);
    const e = done.results[0] as Json;
    expect(e.inputs).toEqual({ user: 'John Smith' });
    const slot = new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString().replace('.000Z', 'Z');
    expect((e.trigger as { variables: Json }).variables.date).toBe(slot);
    const logs = (await s.call('GET', `/api/v1/main/logs/${String(e.id)}`)).json as { message: string }[];
    expect(logs.map((l) => l.message)).toContain(`Hello John Smith at ${slot}`);
  });

  it('runs a seconds cron from a one-minute tick: each execution starts at its own slot, not at the tick', async () => {
    // Near the end of a minute no slot is ahead: start with the next minute.
    const wait = 60_000 - (Date.now() % 60_000);
    if (wait < 7_000) await new Promise((r) => setTimeout(r, wait + 100));
    const tickAt = Date.now();
    await s.runtime.tick(new Date(tickAt));
    const minute = Math.floor(tickAt / 60_000) * 60_000;
    // An earlier test's tick may have claimed another minute of this flow too.
    const created = { results: (await search('seconds')).results.filter((e) => Date.parse(String(e.scheduleDate)) >= minute) };
    const slots = created.results.map((e) => String(e.scheduleDate)).sort();
    expect(slots).toEqual(Array.from({ length: 12 }, (_, i) => new Date(minute + i * 5000).toISOString()));
    // The first slot more than a second ahead has not started at the tick; it starts at its time.
    const ahead = created.results
      .filter((e) => Date.parse(String(e.scheduleDate)) > tickAt + 1000)
      .sort((a, b) => Date.parse(String(a.scheduleDate)) - Date.parse(String(b.scheduleDate)))[0] as Json;
    expect((ahead.state as Json).current).toBe('CREATED');
    const done = await waitFor(async () => {
      const r = await s.call('GET', `/api/v1/main/executions/${String(ahead.id)}`);
      return ((r.json as Json).state as Json).current === 'SUCCESS' ? (r.json as Json) : undefined;
    });
    const running = ((done.state as Json).histories as { state: string; date: string }[]).find((h) => h.state === 'RUNNING');
    expect(Date.parse(running?.date as string)).toBeGreaterThanOrEqual(Date.parse(String(ahead.scheduleDate)));
  }, 30_000);

  it('chains a flow when its upstream execution succeeds', async () => {
    const r = await s.call('POST', '/api/v1/main/executions/company.team/flow_a');
    expect(r.status, r.text).toBe(200);
    const downstream = await waitFor(async () => {
      const found = await search('flow_b');
      const e = found.results[0];
      return e && (e.state as Json).current === 'SUCCESS' ? e : undefined;
    });
    expect(downstream.inputs).toEqual({ value_from_a: 'Flow A ran' });
    expect((downstream.trigger as { variables: Json }).variables).toMatchObject({ executionId: (r.json as Json).id, flowId: 'flow_a', state: 'SUCCESS' });
  });

  it('lists schedule triggers, backfills, pauses, disables, unlocks and resets them', async () => {
    const list = await s.call('GET', '/api/v1/main/triggers/search?namespace=company.team');
    expect(list.status).toBe(200);
    const page = list.json as { total: number; results: { abstractTrigger: Json; triggerContext: Json }[] };
    // Only scheduler-handled triggers are listed, as in Kestra.
    expect(page.results.map((r) => r.triggerContext.flowId)).toEqual(['scheduled', 'seconds']);
    const trigger = { namespace: 'company.team', flowId: 'scheduled', triggerId: 'schedule' };

    const backfill = await s.call('PUT', '/api/v1/main/triggers', {
      body: JSON.stringify({ ...trigger, backfill: { start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z', labels: [{ key: 'reason', value: 'outage' }] } }),
      headers: { 'content-type': 'application/json' },
    });
    expect(backfill.status, backfill.text).toBe(200);
    expect((backfill.json as Json).backfill).toMatchObject({ start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T01:00:00.000Z', paused: false });
    const paused = await s.call('PUT', '/api/v1/main/triggers/backfill/pause', { body: JSON.stringify(trigger), headers: { 'content-type': 'application/json' } });
    expect((paused.json as { backfill: Json }).backfill.paused).toBe(true);
    const deleted = await s.call('POST', '/api/v1/main/triggers/backfill/delete', { body: JSON.stringify(trigger), headers: { 'content-type': 'application/json' } });
    expect((deleted.json as Json).backfill).toBeUndefined();

    const disabled = await s.call('POST', '/api/v1/main/triggers/set-disabled/by-triggers', {
      body: JSON.stringify({ triggers: [trigger], disabled: true }),
      headers: { 'content-type': 'application/json' },
    });
    expect(disabled.json).toEqual({ count: 1 });
    const flowTriggers = await s.call('GET', '/api/v1/main/triggers/company.team/scheduled');
    expect((flowTriggers.json as { results: Json[] }).results[0]).toMatchObject({ triggerId: 'schedule', disabled: true });
    const before = (await search('scheduled')).total;
    await s.runtime.tick(new Date(Date.now() + 60_000));
    expect((await search('scheduled')).total).toBe(before);

    const one = await s.call('GET', '/api/v1/main/triggers/company.team/scheduled/schedule');
    expect(one.json).toMatchObject({ namespace: 'company.team', flowId: 'scheduled', triggerId: 'schedule', disabled: true });
    const unlocked = await s.call('POST', '/api/v1/main/triggers/company.team/scheduled/schedule/unlock');
    expect(unlocked.status).toBe(200);
    expect((unlocked.json as Json).executionId).toBeUndefined();
    expect((await s.call('DELETE', '/api/v1/main/triggers/company.team/scheduled/schedule')).status).toBe(204);
    expect((await s.call('POST', '/api/v1/main/triggers/company.team/nope/schedule/unlock')).status).toBe(404);
    expect((await s.call('GET', '/api/v1/main/triggers/search', { auth: false })).status).toBe(401);
  });
});
