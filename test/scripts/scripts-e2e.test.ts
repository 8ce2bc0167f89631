import { join } from 'node:path';
import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, client, startE2eServer } from '../e2e/local-client';
import { docsFlow, downloadFile, logsOf as fetchLogs, outputsOf, runFlow, taskRunOf as taskRun } from './script-harness';

const NODE_MODULES = join(__dirname, '../../node_modules');

describe('script tasks on the local edition, over HTTP', () => {
  let server: LocalServer;
  let api: ReturnType<typeof client>;

  const logsOf = (executionId: string) => fetchLogs(api, executionId);
  const runToEnd = (source: string, flowId: string, form?: FormData): Promise<Json> => runFlow(api, source, flowId, form);

  beforeAll(async () => {
    server = await startE2eServer();
    api = client(server.url);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('sets outputs and metrics from ::{}:: lines and exposes output files for download', async () => {
    const execution = await runToEnd(
      `id: shell_outputs
namespace: company.team
tasks:
  - id: produce
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    outputFiles: ["out/*.csv"]
    commands:
      - mkdir -p out && printf 'a,b\\n1,2\\n' > out/data.csv
      - echo '::{"outputs":{"rows":2,"nested":{"ok":true}},"metrics":[{"name":"rows","type":"counter","value":2}]}::'
      - echo to-stderr >&2
  - id: consume
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    commands:
      - cat {{ outputs.produce.outputFiles['out/data.csv'] }}
      - echo "rows={{ outputs.produce.vars.rows }}"
`,
      'shell_outputs',
    );
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    const produced = outputsOf(execution, 'produce');
    expect(produced['vars']).toEqual({ rows: 2, nested: { ok: true } });
    expect(produced['exitCode']).toBe(0);
    expect(produced['stdErrLineCount']).toBe(1);
    const uri = (produced['outputFiles'] as Json)['out/data.csv'] as string;
    expect(uri).toMatch(/^kestra:\/\/\//);
    const file = await downloadFile(api, execution['id'], uri);
    expect(file.status).toBe(200);
    expect(file.text).toBe('a,b\n1,2\n');
    const logs = await logsOf(String(execution['id']));
    expect(logs.filter((l) => l.taskId === 'consume').map((l) => l.message)).toEqual(['a,b', '1,2', 'rows=2']);
    expect(logs.find((l) => l.message === 'to-stderr')?.level).toBe('ERROR');
  });

  it("runs a Node script that reports through Kestra's own @kestra-io/libs client", async () => {
    const execution = await runToEnd(
      `id: node_libs
namespace: company.team
tasks:
  - id: node
    type: io.kestra.plugin.scripts.node.Script
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    env:
      NODE_PATH: "${NODE_MODULES}"
    script: |
      const Kestra = require('@kestra-io/libs');
      Kestra.outputs({ greeting: 'hello from node', count: 3 });
      Kestra.counter('processed', 3, { source: 'test' });
`,
      'node_libs',
    );
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    expect(outputsOf(execution, 'node')['vars']).toEqual({ greeting: 'hello from node', count: 3 });
    const metrics = ((taskRun(execution, 'node')['attempts'] as Json[])[0]?.['metrics'] ?? []) as Json[];
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'processed', type: 'counter', value: 3 }));
  });

  it('runs a Python script and fails the task with the exit code', async () => {
    const execution = await runToEnd(
      `id: python_exit
namespace: company.team
tasks:
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    script: |
      import sys
      print("computing")
      sys.exit(4)
`,
      'python_exit',
    );
    expect(execution['state']).toMatchObject({ current: 'FAILED' });
    const logs = await logsOf(String(execution['id']));
    expect(logs.some((l) => l.message.includes('no container engine'))).toBe(true);
    expect(logs.some((l) => l.message === 'computing')).toBe(true);
    expect(logs.some((l) => l.level === 'ERROR' && l.message.includes('exit code 4'))).toBe(true);
  });

  it('fails a script that exceeds its timeout with a message saying so', async () => {
    const started = Date.now();
    const execution = await runToEnd(
      `id: too_slow
namespace: company.team
tasks:
  - id: slow
    type: io.kestra.plugin.scripts.shell.Commands
    timeout: PT1S
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    commands:
      - sleep 20
`,
      'too_slow',
    );
    expect(execution['state']).toMatchObject({ current: 'FAILED' });
    expect(Date.now() - started).toBeLessThan(10_000);
    const logs = await logsOf(String(execution['id']));
    expect(logs.some((l) => /timed? ?out/i.test(l.message))).toBe(true);
  });

  it('kills a running script within a second of the kill request', async () => {
    expect((await api.createFlow(docsFlow('0105'))).status).toBe(200);
    const started = await api.execute('company.team', 'myflow');
    const id = String(started.json['id']);
    // wait until the script prints nothing but is running
    await api.waitForState(id, ['RUNNING']);
    for (let i = 0; i < 100; i++) {
      const e = (await api.execution(id)).json;
      const run = (e['taskRunList'] as Json[] | undefined)?.find((t) => t['taskId'] === 'long_running_task');
      if ((run?.['state'] as Json | undefined)?.['current'] === 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    const killedAt = Date.now();
    const kill = await api.call('DELETE', `/api/v1/main/executions/${id}/kill`);
    expect([200, 202, 204]).toContain(kill.status);
    const end = await api.waitForState(id, ['KILLED', 'FAILED', 'SUCCESS'], 10_000);
    expect(end['state']).toMatchObject({ current: 'KILLED' });
    expect(Date.now() - killedAt).toBeLessThan(2000);
  });

  it('masks a secret that a script prints', async () => {
    const execution = await runToEnd(
      `id: leaky
namespace: company.team
tasks:
  - id: leak
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    env:
      TOKEN: "{{ secret('API_TOKEN') }}"
    commands:
      - echo "token is $TOKEN"
`,
      'leaky',
    );
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    const logs = await logsOf(String(execution['id']));
    const line = logs.find((l) => l.message.startsWith('token is'));
    expect(line?.message).toBe('token is ******');
    expect(JSON.stringify(logs)).not.toContain('tok-3x4mpl3-value');
  });

  it('runs the docs example that renames an uploaded FILE input (0129)', async () => {
    const form = new FormData();
    form.append('file', new Blob(['uploaded content']), 'original.txt');
    const execution = await runToEnd(docsFlow('0129'), 'bash_with_files', form);
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    const uri = (outputsOf(execution, 'rename')['outputFiles'] as Json)['output.tmp'] as string;
    const file = await downloadFile(api, execution['id'], uri);
    expect(file.text).toBe('uploaded content');
  });

  it('retries a failing command until its attempt succeeds (docs 0064)', async () => {
    const source = docsFlow('0064').replace('PT2S', 'PT0.1S');
    const execution = await runToEnd(source, 'retries');
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    expect((taskRun(execution, 'fail_four_times')['attempts'] as Json[]).length).toBe(5);
  });
});
