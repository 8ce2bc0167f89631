import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleJsonLogger, type LocalServer, startLocal } from '@windhover/local';
import { createTaskRegistry } from '@windhover/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, USER, client } from '../e2e/local-client';
import { e2eValidator } from '../e2e/e2e-validator';
import { type GitTestServer, git, startGitServer } from '../support/git-server';

const WEBHOOK_KEY = 'push-key-4471';
const GITHUB_SECRET = 'gh-webhook-secret-91';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const flow = (id: string, msg: string) => `id: ${id}\nnamespace: anything\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${msg}\n`;

let gitServer: GitTestServer;
let local: LocalServer;
let api: ReturnType<typeof client>;

async function startInstance(): Promise<LocalServer> {
  return startLocal({
    dataDir: mkdtempSync(join(tmpdir(), 'wh-gitops-')),
    port: 0,
    env: {
      username: USER,
      password: PASSWORD,
      secretVariables: { SECRET_GIT_TOKEN: b64(gitServer.password), SECRET_WEBHOOK_KEY: b64(WEBHOOK_KEY), SECRET_GITHUB_WEBHOOK_SECRET: b64(GITHUB_SECRET) },
    },
    logger: new ConsoleJsonLogger({ level: 'error', write: () => {} }),
    validator: e2eValidator,
    registry: createTaskRegistry(),
    tickMs: 200,
  });
}

beforeAll(async () => {
  gitServer = await startGitServer();
  local = await startInstance();
  api = client(local.url);
});
afterAll(async () => {
  await local?.close();
  await gitServer?.stop();
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  while (true) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GitOps on the local edition', () => {
  it('a signed GitHub push webhook syncs the change within 2 s, the status API reports Synced, and a hand edit shows as OutOfSync with its diff', async () => {
    gitServer.createRepo('flows');
    gitServer.commit('flows', { 'flows/hello.yml': flow('hello', 'first') });
    const syncFlow = `id: sync_from_git
namespace: system
tasks:
  - id: git
    type: io.kestra.plugin.git.SyncFlows
    url: ${gitServer.url('flows')}
    branch: main
    username: ${gitServer.username}
    password: "{{ secret('GIT_TOKEN') }}"
    targetNamespace: git
    gitDirectory: flows
    delete: true
triggers:
  - id: github_webhook
    type: io.kestra.plugin.core.trigger.Webhook
    key: "{{ secret('WEBHOOK_KEY') }}"
    signature:
      type: GITHUB
      secret: "{{ secret('GITHUB_WEBHOOK_SECRET') }}"
`;
    expect((await api.createFlow(syncFlow)).status).toBe(200);

    const push = async () => {
      const body = JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'org/flows' }, after: git(['rev-parse', 'main'], join(gitServer.root, 'flows.git')) });
      const sig = `sha256=${createHmac('sha256', GITHUB_SECRET).update(body).digest('hex')}`;
      const res = await fetch(`${local.url}/api/v1/main/executions/webhook/system/sync_from_git/${WEBHOOK_KEY}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sig },
        body,
      });
      expect(res.status).toBe(200);
      return Date.now();
    };

    let sent = await push();
    await until('hello to be synced', async () => ((await api.call('GET', '/api/v1/main/flows/git/hello')).status === 200 ? true : undefined));
    expect(Date.now() - sent).toBeLessThan(2000);

    const readOnly = (msg: string) => flow('other', msg).replace('tasks:', 'labels:\n  system.readOnly: "true"\ntasks:');
    const head = gitServer.commit('flows', { 'flows/hello.yml': flow('hello', 'second'), 'flows/other.yml': readOnly('x') });
    sent = await push();
    await until('the update to be synced', async () => {
      const r = await api.call('GET', '/api/v1/main/flows/git/hello?source=true');
      return String(r.json?.['source'] ?? '').includes('second') ? true : undefined;
    });
    expect(Date.now() - sent).toBeLessThan(2000);

    const status = await until('the sync status', async () => {
      const r = await api.call('GET', '/api/v1/main/git/status/git');
      const sources = r.json?.['sources'] as { lastSyncedCommit?: string }[] | undefined;
      return r.status === 200 && sources?.[0]?.lastSyncedCommit === head ? r.json : undefined;
    });
    expect(status['status']).toBe('Synced');
    const source = (status['sources'] as Record<string, unknown>[])[0];
    expect(source).toMatchObject({ url: gitServer.url('flows'), branch: 'main', lastResult: 'SUCCESS', counts: { Synced: 2, OutOfSync: 0, Unknown: 0 } });

    const current = await api.call('GET', '/api/v1/main/flows/git/hello?source=true');
    const edited = String(current.json['source']).replace('message: second', 'message: edited by hand');
    expect((await api.call('PUT', '/api/v1/main/flows/git/hello', { body: edited, contentType: 'application/x-yaml' })).status).toBe(200);
    const drifted = await api.call('GET', '/api/v1/main/git/status/git');
    expect(drifted.json['status']).toBe('OutOfSync');
    const resources = (drifted.json['sources'] as { resources: Record<string, unknown>[] }[])[0].resources;
    expect(resources.find((r) => r['key'] === 'hello')).toMatchObject({ status: 'OutOfSync', reason: 'modified in Windhover' });
    expect(resources.find((r) => r['key'] === 'other')).toMatchObject({ status: 'Synced' });
    const diff = await api.call('GET', '/api/v1/main/git/status/git/flows/hello/diff');
    expect(diff.status).toBe(200);
    expect(diff.json['diff']).toContain('-    message: second');
    expect(diff.json['diff']).toContain('+    message: edited by hand');
    expect((await api.call('GET', '/api/v1/main/git/status')).json['status']).toBe('OutOfSync');
    expect((await api.call('GET', '/api/v1/main/git/status/nowhere')).status).toBe(404);

    // A read-only flow: hand edits are refused, Git sync still updates it.
    const other = await api.call('GET', '/api/v1/main/flows/git/other?source=true');
    const handEdit = String(other.json['source']).replace('message: x', 'message: by hand').replace(/labels:\n.*\n/, '');
    expect((await api.call('PUT', '/api/v1/main/flows/git/other', { body: handEdit, contentType: 'application/x-yaml' })).status).toBe(409);
    gitServer.commit('flows', { 'flows/other.yml': readOnly('from git') });
    sent = await push();
    await until('the read-only flow to be synced', async () => {
      const r = await api.call('GET', '/api/v1/main/flows/git/other?source=true');
      return String(r.json?.['source'] ?? '').includes('from git') ? true : undefined;
    });
    expect(Date.now() - sent).toBeLessThan(2000);
  }, 60_000);

  it('backs up namespaces to Git with the seed 003 flow and restores them into a fresh instance', async () => {
    gitServer.createRepo('backup');
    for (const ns of ['ansible', 'proxmox']) {
      expect((await api.createFlow(flow(`${ns}_job`, ns).replace('namespace: anything', `namespace: ${ns}`))).status).toBe(200);
      const form = new FormData();
      form.append('fileContent', new Blob([`echo ${ns}\n`]), 'run.sh');
      expect((await api.call('POST', `/api/v1/main/namespaces/${ns}/files?path=/scripts/run.sh`, { body: form })).status).toBe(200);
    }
    const backup = `id: git_push
namespace: system
tasks:
  - id: push
    type: io.kestra.plugin.core.flow.ForEach
    tasks:
      - id: flows
        type: io.kestra.plugin.git.PushFlows
        sourceNamespace: "{{ taskrun.value }}"
        gitDirectory: "{{'flows/' ~ taskrun.value}}"
        includeChildNamespaces: false
      - id: scripts
        type: io.kestra.plugin.git.PushNamespaceFiles
        namespace: "{{ taskrun.value }}"
        gitDirectory: "{{'scripts/' ~ taskrun.value}}"
    values:
      - ansible
      - proxmox
pluginDefaults:
  - type: io.kestra.plugin.git
    values:
      username: ${gitServer.username}
      url: ${gitServer.url('backup')}
      password: "{{ secret('GIT_TOKEN') }}"
      branch: main
      dryRun: false
concurrency:
  limit: 1
  behavior: FAIL
`;
    expect((await api.createFlow(backup)).status).toBe(200);
    const exec = await api.execute('system', 'git_push');
    expect(exec.status).toBe(200);
    const done = await api.waitForState(String(exec.json['id']), ['SUCCESS', 'FAILED', 'WARNING'], 30_000);
    expect((done['state'] as Record<string, unknown>)['current']).toBe('SUCCESS');
    const check = gitServer.cloneForCheck('backup');
    expect(git(['ls-tree', '-r', '--name-only', 'HEAD'], check).split('\n')).toEqual([
      'flows/ansible/ansible_job.yml',
      'flows/proxmox/proxmox_job.yml',
      'scripts/ansible/scripts/run.sh',
      'scripts/proxmox/scripts/run.sh',
    ]);
    expect(git(['rev-list', '--count', 'HEAD'], check)).toBe('4');

    const fresh = await startInstance();
    try {
      const freshApi = client(fresh.url);
      const restore = `id: restore
namespace: system
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [ansible, proxmox]
    tasks:
      - id: flows
        type: io.kestra.plugin.git.SyncFlows
        targetNamespace: "{{ taskrun.value }}"
        gitDirectory: "{{'flows/' ~ taskrun.value}}"
      - id: files
        type: io.kestra.plugin.git.SyncNamespaceFiles
        namespace: "{{ taskrun.value }}"
        gitDirectory: "{{'scripts/' ~ taskrun.value}}"
pluginDefaults:
  - type: io.kestra.plugin.git
    values:
      username: ${gitServer.username}
      url: ${gitServer.url('backup')}
      password: "{{ secret('GIT_TOKEN') }}"
      branch: main
`;
      expect((await freshApi.createFlow(restore)).status).toBe(200);
      const r = await freshApi.execute('system', 'restore');
      const restored = await freshApi.waitForState(String(r.json['id']), ['SUCCESS', 'FAILED', 'WARNING'], 30_000);
      expect((restored['state'] as Record<string, unknown>)['current']).toBe('SUCCESS');
      expect((await freshApi.call('GET', '/api/v1/main/flows/proxmox/proxmox_job')).status).toBe(200);
      const file = await freshApi.call('GET', '/api/v1/main/namespaces/ansible/files?path=/scripts/run.sh');
      expect(file.text).toBe('echo ansible\n');
    } finally {
      await fresh.close();
    }
  }, 60_000);

  it('Clone as the first task of a WorkingDirectory: later tasks of the same WorkingDirectory see the files', async () => {
    gitServer.createRepo('business-logic');
    gitServer.commit('business-logic', { 'etl/run.sh': 'echo "etl says hi"\n' });
    const wd = `id: clone_and_run
namespace: company.team
tasks:
  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: clone
        type: io.kestra.plugin.git.Clone
        url: ${gitServer.url('business-logic')}
        username: ${gitServer.username}
        password: "{{ secret('GIT_TOKEN') }}"
        directory: repo
      - id: run
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - sh repo/etl/run.sh
`;
    expect((await api.createFlow(wd)).status).toBe(200);
    const exec = await api.execute('company.team', 'clone_and_run');
    const done = await api.waitForState(String(exec.json['id']), ['SUCCESS', 'FAILED', 'WARNING'], 30_000);
    expect((done['state'] as Record<string, unknown>)['current']).toBe('SUCCESS');
    const logs = await api.call('GET', `/api/v1/main/logs/${String(exec.json['id'])}`);
    expect((logs.json as unknown as { message: string }[]).some((l) => l.message.includes('etl says hi'))).toBe(true);
  }, 60_000);

  it('reports namespace files synced from Git as Synced, and OutOfSync after an edit through the API', async () => {
    gitServer.createRepo('files');
    gitServer.commit('files', { '_files/queries/q.sql': 'select 1\n', '_files/etl.py': 'print(1)\n' });
    const syncFiles = `id: sync_files
namespace: system
tasks:
  - id: files
    type: io.kestra.plugin.git.SyncNamespaceFiles
    url: ${gitServer.url('files')}
    username: ${gitServer.username}
    password: "{{ secret('GIT_TOKEN') }}"
    namespace: analytics
`;
    expect((await api.createFlow(syncFiles)).status).toBe(200);
    const exec = await api.execute('system', 'sync_files');
    const done = await api.waitForState(String(exec.json['id']), ['SUCCESS', 'FAILED', 'WARNING'], 30_000);
    expect((done['state'] as Record<string, unknown>)['current']).toBe('SUCCESS');
    const synced = await api.call('GET', '/api/v1/main/git/status/analytics');
    expect(synced.json).toMatchObject({ namespace: 'analytics', status: 'Synced' });
    const form = new FormData();
    form.append('fileContent', new Blob(['select 2\n']), 'q.sql');
    expect((await api.call('POST', '/api/v1/main/namespaces/analytics/files?path=/queries/q.sql', { body: form })).status).toBe(200);
    const drifted = await api.call('GET', '/api/v1/main/git/status/analytics');
    expect(drifted.json['status']).toBe('OutOfSync');
    const resources = (drifted.json['sources'] as { resources: Record<string, unknown>[] }[])[0].resources;
    expect(resources).toContainEqual(expect.objectContaining({ kind: 'FILE', key: '/queries/q.sql', status: 'OutOfSync', reason: 'modified in Windhover' }));
    expect(resources).toContainEqual(expect.objectContaining({ kind: 'FILE', key: '/etl.py', status: 'Synced' }));
  }, 60_000);
});
