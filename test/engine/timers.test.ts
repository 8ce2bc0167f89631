import { describe, expect, it } from 'vitest';
import { startEngineWorld } from './engine-world';

/** The system clock, moved forward on demand. */
class ShiftedClock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

describe('timers beyond the queue delay', () => {
  it('keeps a one-hour Sleep in the timer store and finishes it when the scheduler tick fires it', async () => {
    const clock = new ShiftedClock();
    const w = startEngineWorld({ clock });
    try {
      await w.deploy(`
id: long_nap
namespace: company.timers
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT1H }
  - { id: after, type: io.kestra.plugin.core.log.Log, message: awake }
`);
      const created = await w.engine.executionService.create({ tenantId: 'main', namespace: 'company.timers', flowId: 'long_nap', inputs: {} });
      for (let i = 0; i < 100; i++) {
        const e = await w.engine.executionService.get('main', created.id);
        if (e.taskRunList.some((r) => r.taskId === 'nap')) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await w.engine.fireDueTimers()).toBe(0);
      expect(await w.ports.timers!.due(new Date(Date.now() + 3_600_000 + 5_000), 10)).toHaveLength(1);
      clock.offsetMs = 3_600_000 + 1_000;
      expect(await w.engine.fireDueTimers()).toBe(1);
      const done = await w.wait(created.id, 10_000);
      expect(done.state.current).toBe('SUCCESS');
      expect((await w.logs(done.id)).map((l) => l.message)).toContain('awake');
      expect(await w.ports.timers!.due(clock.now(), 10)).toHaveLength(0);
    } finally {
      await w.close();
    }
  });
});
