import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineWorld, states } from './engine-world';

/** A counter service: every request is one visible side effect of a task. */
let server: Server;
let base = '';
const hits = new Map<string, number>();
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const key = req.url ?? '';
    hits.set(key, (hits.get(key) ?? 0) + 1);
    const delay = Number(new URL(key, 'http://x').searchParams.get('delay') ?? 0);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    }, delay);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const flowCalling = (id: string, path: string) => `
id: ${id}
namespace: company.faults
tasks:
  - id: call
    type: io.kestra.plugin.core.http.Request
    uri: ${base}${path}
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: done
`;

describe('fault tolerance on the local edition', () => {
  it('retries a task run by redelivery when the worker dies mid-task', async () => {
    const w = startEngineWorld({ consume: false, visibilityTimeoutMs: { worker: 1000 } });
    let release = () => {};
    const hung = new Promise<void>((r) => {
      release = r;
    });
    try {
      let deliveries = 0;
      w.queue.consume('executor', (body) => w.engine.handleExecutorMessage(body));
      // The first delivery "dies": it never finishes and never acknowledges, like a crashed worker.
      w.queue.consume('worker', (body) => {
        deliveries++;
        return deliveries === 1 ? hung : w.engine.handleWorkerMessage(body);
      });
      await w.deploy(flowCalling('dies', '/dies'));
      const e = await w.run('company.faults', 'dies', {}, 10_000);
      expect(e.state.current).toBe('SUCCESS');
      expect(deliveries).toBeGreaterThanOrEqual(2);
      expect(hits.get('/dies')).toBe(1);
      expect(states(e)).toEqual({ call: 'SUCCESS', after: 'SUCCESS' });
    } finally {
      release(); // the dead delivery's handler never reports; let the queue close
      await w.close();
    }
  });

  it('runs nothing twice when worker and executor messages are delivered twice', async () => {
    const w = startEngineWorld({ consume: false });
    try {
      const workerBodies: string[] = [];
      const executorBodies: string[] = [];
      w.queue.consume('executor', async (body) => {
        executorBodies.push(body);
        await w.engine.handleExecutorMessage(body);
        await w.engine.handleExecutorMessage(body); // a duplicate delivery of the same event
      });
      w.queue.consume('worker', async (body) => {
        workerBodies.push(body);
        await w.engine.handleWorkerMessage(body);
        await w.engine.handleWorkerMessage(body); // a duplicate delivery of the same dispatch
      });
      await w.deploy(flowCalling('twice', '/twice'));
      const e = await w.run('company.faults', 'twice', {}, 10_000);
      expect(e.state.current).toBe('SUCCESS');
      expect(hits.get('/twice')).toBe(1);
      expect(e.taskRunList.map((r) => r.attempts?.length)).toEqual([1, 1]);
      expect(workerBodies).toHaveLength(1);
    } finally {
      await w.close();
    }
  });

  it('finishes every execution after the process is stopped mid-flight and restarted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'windhover-restart-'));
    try {
      const first = startEngineWorld({ dir });
      await first.deploy(`
id: slow
namespace: company.faults
tasks:
  - id: call
    type: io.kestra.plugin.core.http.Request
    uri: ${base}/slow?delay=300
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.5S
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: done
`);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await first.engine.executionService.create({ tenantId: 'main', namespace: 'company.faults', flowId: 'slow', inputs: {} })).id);
      await new Promise((r) => setTimeout(r, 100));
      await first.close(); // the process goes away with work in flight
      const second = startEngineWorld({ dir, visibilityTimeoutMs: { worker: 1000, executor: 1000 } });
      try {
        for (const id of ids) {
          const e = await second.wait(id, 20_000);
          expect(e.state.current).toBe('SUCCESS');
        }
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

