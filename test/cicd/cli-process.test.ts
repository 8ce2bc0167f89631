import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, USER, client, startE2eServer } from '../e2e/local-client';
import { folder } from './cicd-support';

const BIN = join(import.meta.dirname, '../../packages/cli/bin/windhover.js');

let server: LocalServer;
beforeAll(async () => {
  server = await startE2eServer();
});
afterAll(async () => {
  await server?.close();
});

/** Runs the real `windhover` executable the way a CI job does: credentials from the environment only. */
function run(args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, WINDHOVER_URL: server.url, WINDHOVER_USERNAME: USER, WINDHOVER_PASSWORD: PASSWORD };
    delete env['WINDHOVER_API_TOKEN'];
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the windhover executable in a CI job', () => {
  it('deploys a folder given relative to the working directory, then fails with exit code 1 on an invalid flow', async () => {
    const repo = folder({ 'flows/hello.yaml': 'id: hello\nnamespace: ci.proc\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n' });
    const ok = await run(['flow', 'deploy', './flows', '--namespace', 'ci.proc', '--override'], repo);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('created   ci.proc.hello  flows/hello.yaml\n1 flow(s): 1 created, 0 updated, 0 unchanged, 0 deleted\n');
    expect(ok.code).toBe(0);
    expect((await client(server.url).call('GET', '/api/v1/main/flows/ci.proc/hello')).status).toBe(200);

    const bad = folder({ 'flows/broken.yaml': 'id: broken\nnamespace: ci.proc\ntasks: []\n' });
    const failed = await run(['flow', 'deploy', 'flows'], bad);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('flows/broken.yaml:3: tasks: must not be empty');
  }, 60_000);
});
