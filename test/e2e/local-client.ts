import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleJsonLogger, type LocalServer, startLocal } from '@windhover/local';
import { createTaskRegistry } from '@windhover/tasks';
import { e2eValidator } from './e2e-validator';

export const USER = 'e2e@windhover.dev';
export const PASSWORD = 'e2e-password-not-default';
export const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

export type Json = Record<string, unknown>;

/** Starts the local edition the way `windhover server local` does, on a free port and a fresh data folder. */
export async function startE2eServer(dataDir = mkdtempSync(join(tmpdir(), 'wh-e2e-')), flowsDir?: string): Promise<LocalServer> {
  return startLocal({
    dataDir,
    ...(flowsDir ? { flowsDir } : {}),
    port: 0,
    env: { username: USER, password: PASSWORD, secretVariables: { SECRET_API_TOKEN: Buffer.from('tok-3x4mpl3-value').toString('base64') } },
    logger: new ConsoleJsonLogger({ level: 'error', write: () => {} }),
    validator: e2eValidator,
    registry: createTaskRegistry(),
    tickMs: 200,
  });
}

/** A tiny API client: Basic auth, JSON or raw responses. */
export function client(baseUrl: string) {
  const call = async (method: string, path: string, init: { body?: string | FormData | Uint8Array; contentType?: string; auth?: string | null } = {}) => {
    const headers: Record<string, string> = {};
    if (init.auth !== null) headers['authorization'] = init.auth ?? AUTH;
    if (init.contentType) headers['content-type'] = init.contentType;
    const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(init.body !== undefined ? { body: init.body } : {}) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json: json as Json & Json[], text, headers: res.headers };
  };
  return {
    call,
    createFlow: (source: string) => call('POST', '/api/v1/main/flows', { body: source, contentType: 'application/x-yaml' }),
    execute: (namespace: string, flowId: string, form?: FormData, query = '') =>
      call('POST', `/api/v1/main/executions/${namespace}/${flowId}${query}`, form ? { body: form } : {}),
    execution: (id: string) => call('GET', `/api/v1/main/executions/${id}`),
    /** Polls until the execution is in one of `states`. */
    async waitForState(id: string, states: readonly string[], timeoutMs = 20_000): Promise<Json> {
      const start = Date.now();
      while (true) {
        const r = await call('GET', `/api/v1/main/executions/${id}`);
        const state = (r.json?.['state'] as Json | undefined)?.['current'];
        if (typeof state === 'string' && states.includes(state)) return r.json;
        if (Date.now() - start > timeoutMs) throw new Error(`execution ${id} is ${String(state)}, expected ${states.join('|')}`);
        await new Promise((res) => setTimeout(res, 25));
      }
    },
  };
}
