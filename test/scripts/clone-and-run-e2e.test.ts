import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitTestServer, startGitServer } from '../support/git-server';
import { type Json, client, startE2eServer } from '../e2e/local-client';
import { downloadFile } from './script-harness';

/**
 * Seed 001's GitOps pattern: clone the business logic from Git inside a
 * WorkingDirectory, then run it; the script's output file is downloadable
 * through the API.
 */
describe('Clone then run a Python script from the repository (local edition, real git server)', () => {
  let server: LocalServer;
  let gitServer: GitTestServer;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    gitServer = await startGitServer({ username: 'ci-bot', password: 'ci-pass' });
    gitServer.createRepo('business-logic');
    gitServer.commit('business-logic', {
      'scripts/report.py': [
        'import json, sys',
        'rows = [{"region": "eu", "total": 3}, {"region": "us", "total": 5}]',
        'with open("report.json", "w") as f:',
        '    json.dump(rows, f)',
        'print("::" + json.dumps({"outputs": {"regions": len(rows)}}) + "::")',
        'print("report written for", sys.argv[1])',
      ].join('\n'),
    });
    server = await startE2eServer();
    api = client(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await gitServer?.stop();
  });

  it('runs the cloned script and serves its output file', async () => {
    const flow = `id: gitops_python
namespace: company.team
tasks:
  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: clone
        type: io.kestra.plugin.git.Clone
        url: ${gitServer.url('business-logic')}
        branch: main
        username: ci-bot
        password: ci-pass
      - id: report
        type: io.kestra.plugin.scripts.python.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        outputFiles:
          - report.json
        commands:
          - python scripts/report.py "{{ execution.id }}"
`;
    expect((await api.createFlow(flow)).status).toBe(200);
    const started = await api.execute('company.team', 'gitops_python');
    const execution = await api.waitForState(String(started.json['id']), ['SUCCESS', 'FAILED', 'WARNING'], 30_000);
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    const report = (execution['taskRunList'] as Json[]).find((t) => t['taskId'] === 'report')?.['outputs'] as Json;
    expect(report['vars']).toEqual({ regions: 2 });
    const uri = (report['outputFiles'] as Json)['report.json'] as string;
    const file = await downloadFile(api, execution['id'], uri);
    expect(file.status).toBe(200);
    expect(JSON.parse(file.text)).toEqual([
      { region: 'eu', total: 3 },
      { region: 'us', total: 5 },
    ]);
  });
});
