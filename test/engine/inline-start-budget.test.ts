import { afterEach, describe, expect, it } from 'vitest';
import { type EngineWorld, startEngineWorld } from './engine-world';

/**
 * The create call runs a new execution's first step itself only within a
 * time budget: a long inline loop goes to the executor queue instead, whole.
 */
const LOOP = `id: long_loop
namespace: company.team
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ range(1, 300) }}"
    concurrencyLimit: 0
    tasks:
      - id: log
        type: io.kestra.plugin.core.log.Log
        message: "item {{ taskrun.value }}"
`;

let world: EngineWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('the inline start budget', () => {
  it('runs a loop of inline tasks inside the create call when it fits the budget', async () => {
    world = startEngineWorld({ engine: { endNeedsDelivery: async () => false, inlineStartBudgetMs: 60_000 } });
    await world.deploy(LOOP);
    const created = await world.engine.executionService.create({ tenantId: 'main', namespace: 'company.team', flowId: 'long_loop', inputs: {} });
    expect(created.state.current).toBe('SUCCESS');
    expect(created.taskRunList.filter((r) => r.taskId === 'log')).toHaveLength(300);
  });

  it('hands the execution to the executor queue once the budget is spent, and nothing of the attempt remains', async () => {
    world = startEngineWorld({ engine: { endNeedsDelivery: async () => false, inlineStartBudgetMs: 0 } });
    await world.deploy(LOOP);
    const created = await world.engine.executionService.create({ tenantId: 'main', namespace: 'company.team', flowId: 'long_loop', inputs: {} });
    expect(created.state.current).toBe('CREATED');
    expect(created.taskRunList).toEqual([]);
    const ended = await world.wait(created.id);
    expect(ended.state.current).toBe('SUCCESS');
    const runs = ended.taskRunList.filter((r) => r.taskId === 'log');
    expect(runs).toHaveLength(300);
    expect(runs.every((r) => r.state.current === 'SUCCESS' && r.attempts?.length === 1)).toBe(true);
    // Each item logged once: the refused attempt wrote nothing.
    const lines = (await world.logs(created.id)).filter((l) => l.message.startsWith('item '));
    expect(lines).toHaveLength(300);
    expect(new Set(lines.map((l) => l.message)).size).toBe(300);
  });
});
