import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, client, startE2eServer } from './local-client';

const H = 'io.kestra.core.models.hierarchies.';

const GRAPHED = `id: graphed
namespace: company.graph
triggers:
  - id: every_minute
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "*/5 * * * *"
    disabled: true
tasks:
  - id: fan
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: left
        type: io.kestra.plugin.core.log.Log
        message: left
      - id: right
        type: io.kestra.plugin.core.log.Log
        message: right
  - id: last
    type: io.kestra.plugin.core.log.Log
    message: last
errors:
  - id: alert
    type: io.kestra.plugin.core.log.Log
    message: failed
`;

const QUICK = `id: quick
namespace: company.state
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hello
`;

/** One execution at a time; each waits at a Pause until resumed, so the next ones queue. */
const LIMITED = `id: limited
namespace: company.state
concurrency:
  limit: 1
  behavior: QUEUE
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: done
    type: io.kestra.plugin.core.log.Log
    message: done
`;

const state = (e: Json): string => String((e['state'] as Json)['current']);
const histories = (e: Json): string[] => ((e['state'] as Json)['histories'] as Json[]).map((h) => String(h['state']));

describe('flow graph and execution state commands over HTTP', () => {
  let server: LocalServer;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await startE2eServer();
    api = client(server.url);
    for (const f of [GRAPHED, QUICK, LIMITED]) expect((await api.createFlow(f)).status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
  });

  const post = (path: string, body?: string, contentType?: string) => api.call('POST', `/api/v1/main${path}`, body === undefined ? {} : { body, ...(contentType ? { contentType } : {}) });
  const run = async (flowId: string, query = ''): Promise<string> => {
    const r = await api.execute('company.state', flowId, undefined, query);
    expect(r.status).toBe(200);
    return String(r.json['id']);
  };

  it('GET /flows/{namespace}/{id}/graph answers Kestra FlowGraph with clusters, relations and the trigger', async () => {
    const r = await api.call('GET', '/api/v1/main/flows/company.graph/graphed/graph');
    expect(r.status).toBe(200);
    const g = r.json as unknown as { nodes: Json[]; edges: Json[]; clusters: Json[] };
    const node = (uid: string) => g.nodes.find((n) => n['uid'] === uid);
    expect(node('root.fan')).toMatchObject({ type: `${H}GraphTask`, relationType: 'PARALLEL', task: { id: 'fan', type: 'io.kestra.plugin.core.flow.Parallel' } });
    expect(node('root.fan.left')).toMatchObject({ relationType: 'PARALLEL', task: { id: 'left', message: 'left' } });
    expect(node('root.alert')).toMatchObject({ relationType: 'ERROR', branchType: 'ERROR' });
    expect(node('root.Triggers.every_minute')).toMatchObject({ type: `${H}GraphTrigger`, triggerDeclaration: { id: 'every_minute', disabled: true } });
    const fan = g.clusters.find((c) => (c['cluster'] as Json)['uid'] === 'cluster_root.fan')!;
    expect(fan).toMatchObject({ parents: [], cluster: { type: `${H}GraphCluster`, relationType: 'PARALLEL', taskNode: { uid: 'root.fan' } } });
    expect(fan['nodes']).toEqual(expect.arrayContaining(['root.fan', 'root.fan.left', 'root.fan.right', fan['start'], fan['end']]));
    expect(g.edges).toContainEqual({ source: 'root.fan', target: 'root.fan.right', relation: { relationType: 'PARALLEL' } });
    expect(g.edges).toContainEqual({ source: fan['end'], target: 'root.last', relation: { relationType: 'SEQUENTIAL' } });
    const rootStart = g.nodes.find((n) => n['type'] === `${H}GraphClusterRoot` && String(n['uid']).startsWith('root.root-'))!['uid'];
    expect(g.edges).toContainEqual({ source: rootStart, target: 'root.alert', relation: { relationType: 'ERROR' } });
    // The same flow always draws the same uids.
    expect((await api.call('GET', '/api/v1/main/flows/company.graph/graphed/graph')).json).toEqual(r.json);
  });

  it('draws an older revision with ?revision= and answers 404 for an unknown flow or revision', async () => {
    const v2 = GRAPHED.replace('  - id: last\n', '  - id: renamed\n');
    expect((await api.call('PUT', '/api/v1/main/flows/company.graph/graphed', { body: v2, contentType: 'application/x-yaml' })).status).toBe(200);
    const uids = async (q: string) => ((await api.call('GET', `/api/v1/main/flows/company.graph/graphed/graph${q}`)).json['nodes'] as Json[]).map((n) => n['uid']);
    expect(await uids('')).toContain('root.renamed');
    expect(await uids('?revision=1')).toContain('root.last');
    expect(await uids('?revision=1')).not.toContain('root.renamed');
    expect((await api.call('GET', '/api/v1/main/flows/company.graph/graphed/graph?revision=9')).status).toBe(404);
    expect((await api.call('GET', '/api/v1/main/flows/company.graph/nope/graph')).status).toBe(404);
  });

  it('POST /flows/graph draws an unsaved YAML source and answers 422 for an invalid one', async () => {
    const source = `id: draft\nnamespace: company.graph\ntasks:\n  - id: pick\n    type: io.kestra.plugin.core.flow.If\n    condition: "{{ true }}"\n    then:\n      - id: yes\n        type: io.kestra.plugin.core.log.Log\n        message: y\n`;
    const r = await post('/flows/graph', source, 'application/x-yaml');
    expect(r.status).toBe(200);
    expect(r.json['edges']).toContainEqual({ source: 'root.pick', target: 'root.pick.yes', relation: { relationType: 'CHOICE', value: 'then' } });
    expect((await api.call('GET', '/api/v1/main/flows/company.graph/draft')).status).toBe(404);
    expect((await post('/flows/graph', 'id: bad\nnamespace: company.graph\ntasks: []\n', 'application/x-yaml')).status).toBe(422);
  });

  it('expands the subflows named in ?subflows= and answers 404 when one does not exist', async () => {
    const parent = `id: caller\nnamespace: company.graph\ntasks:\n  - id: launch\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: company.graph\n    flowId: graphed\n  - id: broken\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: company.graph\n    flowId: missing\n`;
    expect((await api.createFlow(parent)).status).toBe(200);
    const plain = await api.call('GET', '/api/v1/main/flows/company.graph/caller/graph');
    expect((plain.json['clusters'] as Json[]).length).toBe(0);
    const r = await api.call('GET', '/api/v1/main/flows/company.graph/caller/graph?subflows=root.launch');
    expect(r.status).toBe(200);
    const launch = (r.json['clusters'] as Json[]).find((c) => (c['cluster'] as Json)['uid'] === 'cluster_root.launch');
    expect(launch?.['cluster']).toMatchObject({ type: `${H}SubflowGraphCluster`, taskNode: { uid: 'root.launch', type: `${H}SubflowGraphTask` } });
    const uids = (r.json['nodes'] as Json[]).map((n) => n['uid']);
    expect(uids).toEqual(expect.arrayContaining(['root.launch.fan.left', 'root.launch.alert', 'root.launch.Triggers.every_minute']));
    expect((await api.call('GET', '/api/v1/main/flows/company.graph/caller/graph?subflows=root.broken')).status).toBe(404);
    const drafted = await post('/flows/graph?subflows=root.launch', parent, 'application/x-yaml');
    expect((drafted.json['nodes'] as Json[]).map((n) => n['uid'])).toContain('root.launch.fan.right');
  });

  it('GET /executions/{id}/graph draws the run: one node per loop iteration with its task run', async () => {
    const looped = `id: looped\nnamespace: company.state\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: [x, y]\n    tasks:\n      - id: log\n        type: io.kestra.plugin.core.log.Log\n        message: "{{ taskrun.value }}"\n`;
    expect((await api.createFlow(looped)).status).toBe(200);
    const id = await run('looped');
    const done = await api.waitForState(id, ['SUCCESS']);
    const runs = done['taskRunList'] as Json[];
    const r = await api.call('GET', `/api/v1/main/executions/${id}/graph`);
    expect(r.status).toBe(200);
    const nodes = r.json['nodes'] as Json[];
    for (const v of ['x', 'y']) {
      const n = nodes.find((x) => x['uid'] === `root.each.log_${v}`);
      const expected = runs.find((t) => t['taskId'] === 'log' && t['value'] === v);
      expect(n).toMatchObject({ values: [v], taskRun: { id: expected?.['id'], state: { current: 'SUCCESS' } } });
    }
    expect(r.json['edges']).toContainEqual({ source: 'root.each.log_x', target: 'root.each.log_y', relation: { relationType: 'DYNAMIC', value: 'y' } });
    expect((await api.call('GET', '/api/v1/main/executions/doesNotExist123/graph')).status).toBe(404);
  });

  it('change-status turns a terminated execution into another terminal state and refuses the rest', async () => {
    const id = await run('quick');
    await api.waitForState(id, ['SUCCESS']);
    const r = await post(`/executions/${id}/change-status?status=FAILED`);
    expect(r.status).toBe(200);
    expect(state(r.json)).toBe('FAILED');
    expect(histories(r.json).slice(-2)).toEqual(['SUCCESS', 'FAILED']);
    expect(state((await api.execution(id)).json)).toBe('FAILED');
    // The newer /actions/ path works too, and WARNING is a terminal state.
    expect(state((await post(`/executions/${id}/actions/change-status?status=WARNING`)).json)).toBe('WARNING');
    expect((await post(`/executions/${id}/change-status?status=RUNNING`)).status).toBe(422);
    expect((await post(`/executions/${id}/change-status?status=NOPE`)).status).toBe(400);
    expect((await post(`/executions/${id}/change-status`)).status).toBe(400);
    expect((await post('/executions/doesNotExist123/change-status?status=FAILED')).status).toBe(404);
    expect(state((await api.execution(id)).json)).toBe('WARNING');
  });

  it('unqueues, force-runs and refuses illegal transitions of a flow with a concurrency limit', async () => {
    const holder = await run('limited');
    await api.waitForState(holder, ['PAUSED']);
    // change-status needs a terminated execution: 409 for a paused one.
    expect((await post(`/executions/${holder}/change-status?status=SUCCESS`)).status).toBe(409);
    expect((await post(`/executions/${holder}/unqueue`)).status).toBe(409);

    const cancelled = await run('limited');
    const toRun = await run('limited');
    const forced = await run('limited');
    const failed = await run('limited');
    for (const id of [cancelled, toRun, forced, failed]) await api.waitForState(id, ['QUEUED']);

    expect((await post(`/executions/${cancelled}/unqueue?state=SUCCESS`)).status).toBe(422);
    const c = await post(`/executions/${cancelled}/unqueue?state=CANCELLED`);
    expect(c.status).toBe(200);
    expect(state(c.json)).toBe('CANCELLED');
    expect(histories(c.json)).toEqual(['CREATED', 'QUEUED', 'CANCELLED']);
    expect((await api.execution(cancelled)).json['taskRunList'] ?? []).toEqual([]);

    const f = await post(`/executions/${failed}/unqueue?state=FAILED`);
    expect(state(f.json)).toBe('FAILED');

    // Unqueued as RUNNING (the default): it starts although the holder still has the only slot.
    const u = await post(`/executions/${toRun}/unqueue`);
    expect(u.status).toBe(200);
    expect(['RUNNING', 'PAUSED']).toContain(state(u.json));
    await api.waitForState(toRun, ['PAUSED']);

    const fr = await post(`/executions/${forced}/force-run`);
    expect(fr.status).toBe(200);
    expect(histories(fr.json)).toEqual(expect.arrayContaining(['QUEUED', 'RUNNING']));
    await api.waitForState(forced, ['PAUSED']);

    // Force run of a PAUSED execution resumes it.
    const resumed = await post(`/executions/${forced}/force-run`);
    expect(resumed.status).toBe(200);
    await api.waitForState(forced, ['SUCCESS']);
    expect((await post(`/executions/${forced}/force-run`)).status).toBe(409);
    expect((await post('/executions/doesNotExist123/force-run')).status).toBe(404);
    expect((await post('/executions/doesNotExist123/unqueue')).status).toBe(404);

    for (const id of [holder, toRun]) {
      expect((await post(`/executions/${id}/resume`)).status).toBe(204);
      await api.waitForState(id, ['SUCCESS']);
    }
  });

  it('POST /executions/{id}/state marks a task run: a failed one SUCCESS continues the flow, a paused one RUNNING resumes it', async () => {
    const failing = `id: failing\nnamespace: company.state\ntasks:\n  - id: boom\n    type: io.kestra.plugin.core.execution.Fail\n  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: after\n`;
    const pausing = `id: pausing\nnamespace: company.state\ntasks:\n  - id: before\n    type: io.kestra.plugin.core.log.Log\n    message: before\n  - id: wait\n    type: io.kestra.plugin.core.flow.Pause\n  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: after\n`;
    for (const f of [failing, pausing]) expect((await api.createFlow(f)).status).toBe(200);
    const body = (taskRunId: unknown, s: string) => JSON.stringify({ taskRunId, state: s });
    const runOf = (e: Json, taskId: string) => (e['taskRunList'] as Json[]).find((r) => r['taskId'] === taskId)?.['id'];

    const failed = await api.waitForState(await run('failing'), ['FAILED']);
    const id = String(failed['id']);
    expect((await post(`/executions/${id}/state`, body('nope', 'SUCCESS'), 'application/json')).status).toBe(422);
    expect((await post(`/executions/${id}/state`, body(runOf(failed, 'boom'), 'KILLED'), 'application/json')).status).toBe(422);
    expect((await post(`/executions/${id}/state`, '{}', 'application/json')).status).toBe(400);
    const marked = await post(`/executions/${id}/state`, body(runOf(failed, 'boom'), 'SUCCESS'), 'application/json');
    expect(marked.status).toBe(200);
    const done = await api.waitForState(id, ['SUCCESS']);
    expect(histories(done)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
    expect((done['taskRunList'] as Json[]).map((r) => [r['taskId'], (r['state'] as Json)['current']])).toEqual([
      ['boom', 'SUCCESS'],
      ['after', 'SUCCESS'],
    ]);

    const paused = await api.waitForState(await run('pausing'), ['PAUSED']);
    const pid = String(paused['id']);
    // A finished task run of an execution that has not ended cannot be changed.
    expect((await post(`/executions/${pid}/state`, body(runOf(paused, 'before'), 'FAILED'), 'application/json')).status).toBe(409);
    expect((await post(`/executions/${pid}/actions/state`, body(runOf(paused, 'wait'), 'RUNNING'), 'application/json')).status).toBe(200);
    await api.waitForState(pid, ['SUCCESS']);
    expect((await post('/executions/doesNotExist123/state', body('x', 'SUCCESS'), 'application/json')).status).toBe(404);
  });

  it('POST /executions/{id}/pause holds a running execution until it is resumed (204, 409 when not RUNNING)', async () => {
    const sleepy = `id: sleepy\nnamespace: company.state\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT0.6S\n  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: after\n`;
    expect((await api.createFlow(sleepy)).status).toBe(200);
    const id = await run('sleepy');
    await api.waitForState(id, ['RUNNING']);
    const paused = await post(`/executions/${id}/pause`);
    expect(paused.status).toBe(204);
    expect(state((await api.execution(id)).json)).toBe('PAUSED');
    expect((await post(`/executions/${id}/pause`)).status).toBe(409);
    await new Promise((r) => setTimeout(r, 1200));
    const held = (await api.execution(id)).json;
    expect(state(held)).toBe('PAUSED');
    expect((held['taskRunList'] as Json[]).map((r) => [r['taskId'], (r['state'] as Json)['current']])).toEqual([['nap', 'SUCCESS']]);
    expect((await post(`/executions/${id}/resume`)).status).toBe(204);
    const done = await api.waitForState(id, ['SUCCESS']);
    expect((done['taskRunList'] as Json[]).map((r) => r['taskId'])).toEqual(['nap', 'after']);
    expect((await post(`/executions/${id}/pause`)).status).toBe(409);

    const other = await run('sleepy');
    await api.waitForState(other, ['RUNNING']);
    expect((await post('/executions/pause/by-ids', JSON.stringify([other]), 'application/json')).json).toEqual({ count: 1 });
    await api.waitForState(other, ['PAUSED'], 5_000);
    expect((await api.call('DELETE', `/api/v1/main/executions/${other}/kill`)).status).toBe(202);
    await api.waitForState(other, ['KILLED']);
  });

  it('POST /executions/{id}/resume/validate checks the onResume inputs without resuming', async () => {
    const approval = `id: approval\nnamespace: company.state\ntasks:\n  - id: ask\n    type: io.kestra.plugin.core.flow.Pause\n    onResume:\n      - id: approved\n        type: BOOLEAN\n      - id: reason\n        type: STRING\n        defaults: none\n`;
    expect((await api.createFlow(approval)).status).toBe(200);
    const id = await run('approval');
    await api.waitForState(id, ['PAUSED']);
    const form = (fields: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(fields)) f.append(k, v);
      return f;
    };
    const bad = await api.call('POST', `/api/v1/main/executions/${id}/resume/validate`, { body: form({ approved: 'maybe' }) });
    expect(bad.status).toBe(200);
    expect(bad.json).toMatchObject({ id: 'approval', namespace: 'company.state' });
    const [approved, reason] = bad.json['inputs'] as Json[];
    expect((approved['errors'] as Json[]).length).toBeGreaterThan(0);
    expect(reason).toMatchObject({ value: 'none', isDefault: true, errors: [] });
    const good = await api.call('POST', `/api/v1/main/executions/${id}/resume/validate`, { body: form({ approved: 'true' }) });
    expect((good.json['inputs'] as Json[])[0]).toMatchObject({ value: true, errors: [] });
    expect(state((await api.execution(id)).json)).toBe('PAUSED');
    expect((await api.call('POST', `/api/v1/main/executions/${id}/resume`, { body: form({ approved: 'true' }) })).status).toBe(204);
    await api.waitForState(id, ['SUCCESS']);
    expect((await api.call('POST', `/api/v1/main/executions/${id}/resume/validate`, { body: form({ approved: 'true' }) })).status).toBe(409);
  });

  it('force-run starts a CREATED execution scheduled for later at once', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const id = await run('quick', `?scheduleDate=${encodeURIComponent(later)}`);
    await new Promise((r) => setTimeout(r, 300));
    expect(state((await api.execution(id)).json)).toBe('CREATED');
    const r = await post(`/executions/${id}/force-run`);
    expect(r.status).toBe(200);
    const done = await api.waitForState(id, ['SUCCESS'], 10_000);
    expect(histories(done)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
  });

  it('bulk change-status, unqueue and force-run check every execution first, then apply to all', async () => {
    const a = await run('quick');
    const b = await run('quick');
    for (const id of [a, b]) await api.waitForState(id, ['SUCCESS']);
    const ids = JSON.stringify([a, b]);
    expect((await post('/executions/change-status/by-ids?newStatus=RUNNING', ids, 'application/json')).status).toBe(422);
    const missing = await post('/executions/change-status/by-ids?newStatus=FAILED', JSON.stringify([a, 'doesNotExist123']), 'application/json');
    expect(missing.status).toBe(422);
    expect(state((await api.execution(a)).json)).toBe('SUCCESS');
    const ok = await post('/executions/change-status/by-ids?newStatus=FAILED', ids, 'application/json');
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ count: 2 });
    for (const id of [a, b]) await api.waitForState(id, ['FAILED'], 5_000);

    const holder = await run('limited');
    await api.waitForState(holder, ['PAUSED']);
    const q1 = await run('limited');
    const q2 = await run('limited');
    const q3 = await run('limited');
    for (const id of [q1, q2, q3]) await api.waitForState(id, ['QUEUED']);
    expect((await post('/executions/unqueue/by-ids', JSON.stringify([q1, holder]), 'application/json')).status).toBe(422);
    expect((await post('/executions/unqueue/by-ids?state=CANCELLED', JSON.stringify([q1, q2]), 'application/json')).json).toEqual({ count: 2 });
    for (const id of [q1, q2]) await api.waitForState(id, ['CANCELLED'], 5_000);
    expect((await post('/executions/force-run/by-ids', JSON.stringify([q3, a]), 'application/json')).status).toBe(422);
    expect((await post('/executions/force-run/by-ids', JSON.stringify([q3]), 'application/json')).json).toEqual({ count: 1 });
    await api.waitForState(q3, ['PAUSED'], 5_000);
    for (const id of [holder, q3]) {
      expect((await post(`/executions/${id}/resume`)).status).toBe(204);
      await api.waitForState(id, ['SUCCESS']);
    }
  });
});
