import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SyncFlows } from '@windhover/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTaskWorlds, createTaskWorld } from '../support/task-world';

let silent: Server;
let url: string;
beforeAll(async () => {
  // Accepts connections and never answers: a stuck Git server.
  silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/repo.git`;
});
afterAll(async () => {
  await closeTaskWorlds();
  silent.closeAllConnections();
  await new Promise<void>((r) => silent.close(() => r()));
});

describe('Git timeouts', () => {
  it('gives up on a server that does not answer within readTimeout', async () => {
    const started = Date.now();
    await expect(
      SyncFlows.run({ id: 's', type: 'io.kestra.plugin.git.SyncFlows', url, targetNamespace: 'x', readTimeout: 300 }, createTaskWorld().context()),
    ).rejects.toThrow(/Failed to list refs of .*timed out/i);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
