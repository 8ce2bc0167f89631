import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleJsonLogger, type LocalServer, startLocal } from '@windhover/local';
import { createTaskRegistry } from '@windhover/tasks';
import { expect } from 'vitest';
import { e2eValidator } from '../e2e/e2e-validator';
import { client, type Json, PASSWORD, USER } from '../e2e/local-client';

/** The secrets under test: values that cannot appear by accident. */
export const TOKEN = 'tok-Zq8-nsKV-4471-secret';
export const TEAM_SECRET = 'team-only-Vx93-secret';

export const stateOf = (execution: Json): string => String((execution['state'] as Json)['current']);

export interface SecretsE2e {
  readonly server: LocalServer;
  readonly api: ReturnType<typeof client>;
  /** An HTTP endpoint that echoes the request's Authorization header back in its body. */
  readonly echoUrl: string;
  /** Saves the flow and runs it synchronously (`wait=true`). */
  run(source: string): Promise<Json>;
  close(): Promise<void>;
}

/**
 * The local edition with a tenant secret (`API_TOKEN`, from a SECRET_ env
 * variable) and a namespace secret (`TEAM_SECRET` for `company`, from the
 * secrets file), plus an echo server, for the secret and KV end-to-end tests.
 */
export async function startSecretsE2e(): Promise<SecretsE2e> {
  const echo: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ youSent: req.headers['authorization'] ?? null }));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  const dataDir = mkdtempSync(join(tmpdir(), 'wh-ns-e2e-'));
  const secretsFile = join(dataDir, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify({ namespaces: { company: { TEAM_SECRET } } }));
  const server = await startLocal({
    dataDir,
    port: 0,
    env: { username: USER, password: PASSWORD, secretVariables: { SECRET_API_TOKEN: Buffer.from(TOKEN).toString('base64') }, secretsFile },
    logger: new ConsoleJsonLogger({ level: 'error', write: () => {} }),
    validator: e2eValidator,
    registry: createTaskRegistry(),
    tickMs: 200,
  });
  const api = client(server.url);
  return {
    server,
    api,
    echoUrl: `http://127.0.0.1:${(echo.address() as AddressInfo).port}/echo`,
    async run(source) {
      const created = await api.createFlow(source);
      expect(created.status, created.text).toBe(200);
      const flow = created.json as Json;
      const r = await api.execute(String(flow['namespace']), String(flow['id']), undefined, '?wait=true');
      expect(r.status, r.text).toBe(200);
      return r.json;
    },
    async close() {
      await server.close();
      await new Promise<void>((r) => echo.close(() => r()));
    },
  };
}
