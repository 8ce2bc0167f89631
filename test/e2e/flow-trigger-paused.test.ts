import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, client, startE2eServer } from './local-client';

/** Flow triggers see executions that pause (PAUSED is one of Kestra's Flow trigger states), once per pause. */
let server: LocalServer;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  server = await startE2eServer();
  api = client(server.url);
});
afterAll(async () => {
  await server?.close();
});

const stateOf = (e: Json): string => String((e['state'] as Json)['current']);

async function listenerRuns(): Promise<Json[]> {
  const r = await api.call('GET', '/api/v1/main/executions/search?namespace=company.watch&flowId=on_pause&size=50');
  return (r.json['results'] ?? []) as Json[];
}

describe('Flow trigger on PAUSED', () => {
  it('starts the listener when the upstream execution pauses, with trigger.state PAUSED, and not again when it ends', async () => {
    expect(
      (
        await api.createFlow(`id: approval
namespace: company.ops
tasks:
  - id: wait_for_approval
    type: io.kestra.plugin.core.flow.Pause
  - id: done
    type: io.kestra.plugin.core.log.Log
    message: approved
`)
      ).status,
    ).toBe(200);
    expect(
      (
        await api.createFlow(`id: on_pause
namespace: company.watch
tasks:
  - id: notify
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.flowId }} is {{ trigger.state }}"
triggers:
  - id: paused
    type: io.kestra.plugin.core.trigger.Flow
    states: [PAUSED]
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: company.ops
        flowId: approval
`)
      ).status,
    ).toBe(200);

    const created = await api.execute('company.ops', 'approval');
    const id = String(created.json['id']);
    await api.waitForState(id, ['PAUSED']);

    const deadline = Date.now() + 10_000;
    let runs: Json[] = [];
    while (Date.now() < deadline) {
      runs = await listenerRuns();
      if (runs.some((e) => stateOf(e) === 'SUCCESS')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(runs.map(stateOf)).toEqual(['SUCCESS']);
    const logs = await api.call('GET', `/api/v1/main/logs/${String(runs[0]?.['id'])}`);
    expect((logs.json as Json[]).map((l) => l['message'])).toContain('approval is PAUSED');

    // Resumed and ended SUCCESS: the PAUSED-only trigger does not fire again.
    expect((await api.call('POST', `/api/v1/main/executions/${id}/resume`)).status).toBe(204);
    await api.waitForState(id, ['SUCCESS']);
    await new Promise((r) => setTimeout(r, 500));
    expect(await listenerRuns()).toHaveLength(1);
  });
});
