import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineWorld, startEngineWorld, states } from './engine-world';

/** `uuid()` and `randomInt()` need the runtime's id and random ports (core has no randomness). */
describe('uuid() and randomInt() in a real flow', () => {
  let world: EngineWorld;

  beforeAll(() => {
    world = startEngineWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('renders a fresh UUID and an integer in [lower, upper) in task properties', async () => {
    await world.deploy(`id: random_values
namespace: company.team
tasks:
  - id: values
    type: io.kestra.plugin.core.output.OutputValues
    values:
      first: "{{ uuid() }}"
      second: "{{ uuid() }}"
      dice: "{{ randomInt(1, 10) }}"
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "id={{ uuid() }} dice={{ randomInt(1, 10) }}"
`);
    const e = await world.run('company.team', 'random_values');
    expect(states(e)).toEqual({ values: 'SUCCESS', log: 'SUCCESS' });
    const run = e.taskRunList.find((r) => r.taskId === 'values')!;
    const values = (run.outputs as { values: Record<string, unknown> }).values;
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(String(values['first'])).toMatch(uuid);
    expect(String(values['second'])).toMatch(uuid);
    expect(values['first']).not.toBe(values['second']);
    const dice = Number(values['dice']);
    expect(Number.isInteger(dice) && dice >= 1 && dice < 10).toBe(true);
    const logs = (await world.logs(e.id)).map((l) => l.message).join('\n');
    expect(logs).toMatch(/id=[0-9a-f-]{36} dice=[1-9]\b/);
  });

  it('draws different integers across many renders (the port is random, not constant)', async () => {
    await world.deploy(`id: many_dice
namespace: company.team
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ range(1, 40) }}"
    tasks:
      - id: roll
        type: io.kestra.plugin.core.log.Log
        message: "roll={{ randomInt(0, 1000) }}"
`);
    const e = await world.run('company.team', 'many_dice', {}, 60_000);
    expect(e.state.current).toBe('SUCCESS');
    const rolls = (await world.logs(e.id)).map((l) => /roll=(\d+)/.exec(l.message)?.[1]).filter((x): x is string => x !== undefined);
    expect(rolls.length).toBe(40);
    expect(new Set(rolls).size).toBeGreaterThan(5);
  });
});
