import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '@windhover/cli';
import { PASSWORD, USER } from '../e2e/local-client';

/** Writes files (relative path → content) into a fresh temporary folder and returns it. */
export function folder(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wh-cicd-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

export interface CliRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** Runs the `windhover` CLI in-process against a server, with Basic auth unless `auth` says otherwise. */
export async function cli(url: string, args: readonly string[], auth: readonly string[] = ['--user', `${USER}:${PASSWORD}`]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--server', url, ...auth], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out, err };
}

/**
 * A loopback proxy in front of a real server that answers 503 to the writes `fail` picks
 * (an outage between planning and applying); everything else is forwarded unchanged.
 */
export async function faultyProxy(target: string, fail: (method: string, url: string, body: string) => boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (fail(req.method ?? 'GET', req.url ?? '/', body.toString('utf8'))) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'injected outage' }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body.length > 0 ? { body } : {}) })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
