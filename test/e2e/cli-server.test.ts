import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const children: ChildProcess[] = [];

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

/** Runs `windhover server local` as a user would and waits for its banner. */
async function startCli(dataDir: string, env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, ['packages/cli/bin/windhover.js', 'server', 'local', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, WINDHOVER_USERNAME: '', WINDHOVER_PASSWORD: '', WINDHOVER_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const start = Date.now();
  // The banner may arrive in several chunks: wait for its last line.
  const complete = () => /running at (http:\/\/\S+)/.test(out) && /Basic auth: [^\n]*\n/.test(out) && (!out.includes('generated now') || out.includes('choose your own.'));
  while (!complete()) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    if (Date.now() - start > 30_000) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: /running at (http:\/\/\S+)/.exec(out)![1], output: () => out };
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('windhover server local', () => {
  it('generates a password on first start, prints it once, keeps it in the data folder, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wh-cli-'));
    const first = await startCli(dataDir);
    const password = /password (\S+)\n/.exec(first.output())?.[1];
    expect(password).toBeTruthy();
    const file = join(dataDir, 'credentials.json');
    expect(first.output()).toContain(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).password).toBe(password);

    expect((await fetch(`${first.url}/health`)).status).toBe(200);
    expect((await fetch(`${first.url}/api/v1/main/flows/search`)).status).toBe(401);
    const auth = `Basic ${Buffer.from(`admin@kestra.io:${password}`).toString('base64')}`;
    expect((await fetch(`${first.url}/api/v1/main/flows/search`, { headers: { authorization: auth } })).status).toBe(200);

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);

    const second = await startCli(dataDir);
    expect(second.output()).not.toContain(password);
    expect(second.output()).toContain(`password in ${file}`);
    expect((await fetch(`${second.url}/api/v1/main/flows/search`, { headers: { authorization: auth } })).status).toBe(200);
  });

  it('uses WINDHOVER_USERNAME and WINDHOVER_PASSWORD when set and stores no password', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wh-cli-'));
    const s = await startCli(dataDir, { WINDHOVER_USERNAME: 'me@example.com', WINDHOVER_PASSWORD: 'chosen-secret' });
    expect(s.output()).not.toContain('chosen-secret');
    expect(existsSync(join(dataDir, 'credentials.json'))).toBe(false);
    const auth = `Basic ${Buffer.from('me@example.com:chosen-secret').toString('base64')}`;
    expect((await fetch(`${s.url}/api/v1/main/flows/search`, { headers: { authorization: auth } })).status).toBe(200);
  });

  it('finishes an execution that was running when the process was killed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wh-cli-'));
    const env = { WINDHOVER_USERNAME: 'me@example.com', WINDHOVER_PASSWORD: 'pw' };
    const auth = { authorization: `Basic ${Buffer.from('me@example.com:pw').toString('base64')}` };
    const a = await startCli(dataDir, env);
    const flow = `id: survivor
namespace: company.team
tasks:
  - id: before
    type: io.kestra.plugin.core.log.Log
    message: before
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT2S
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: after the restart
`;
    expect((await fetch(`${a.url}/api/v1/main/flows`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-yaml' }, body: flow })).status).toBe(200);
    const created = (await (await fetch(`${a.url}/api/v1/main/executions/company.team/survivor`, { method: 'POST', headers: auth })).json()) as { id: string };
    // Wait until it sleeps, then kill the process without any chance to clean up.
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const e = (await (await fetch(`${a.url}/api/v1/main/executions/${created.id}`, { headers: auth })).json()) as { taskRunList: { taskId: string }[] };
      if (e.taskRunList.some((t) => t.taskId === 'nap')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    a.child.kill('SIGKILL');
    await exited(a.child);

    const b = await startCli(dataDir, env);
    let state = '';
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const e = (await (await fetch(`${b.url}/api/v1/main/executions/${created.id}`, { headers: auth })).json()) as { state: { current: string } };
      state = e.state.current;
      if (state === 'SUCCESS' || state === 'FAILED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('SUCCESS');
    const logs = (await (await fetch(`${b.url}/api/v1/main/logs/${created.id}`, { headers: auth })).json()) as { message: string }[];
    expect(logs.map((l) => l.message)).toEqual(['before', 'after the restart']);
  });
});
