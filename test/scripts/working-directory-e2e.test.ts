import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, client, startE2eServer } from '../e2e/local-client';
import { docsFlow, downloadFile, outputsOf as outputs, runFlow } from './script-harness';

describe('WorkingDirectory on the local edition, over HTTP', () => {
  let server: LocalServer;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await startE2eServer();
    api = client(server.url);
  });
  afterAll(async () => {
    await server?.close();
  });

  const run = (source: string, flowId: string): Promise<Json> => runFlow(api, source, flowId);

  it('shares one folder between its tasks (docs example 0162)', async () => {
    const execution = await run(docsFlow('0162'), 'working_dir_flow');
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    const first = (execution['taskRunList'] as Json[]).find((t) => t['taskId'] === 'first');
    expect((outputs(execution, 'second')['vars'] as Json)['stay']).toBe(first?.['id']);
  });

  it("stages the WorkingDirectory's inputFiles for its first task and keeps later changes", async () => {
    const execution = await run(
      `id: wd_inputs
namespace: company.team
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    inputFiles:
      data/input.txt: "seed"
    tasks:
      - id: append
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - echo "+more" >> data/input.txt
      - id: python
        type: io.kestra.plugin.scripts.python.Script
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        outputFiles: ["data/*.txt"]
        script: |
          content = open("data/input.txt").read().replace("\\n", "")
          print('::{"outputs":{"content":"' + content + '"}}::')
`,
      'wd_inputs',
    );
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    expect((outputs(execution, 'python')['vars'] as Json)['content']).toBe('seed+more');
    const uri = (outputs(execution, 'python')['outputFiles'] as Json)['data/input.txt'] as string;
    const file = await downloadFile(api, execution['id'], uri);
    expect(file.text).toBe('seed+more\n');
  });

  it("exposes the WorkingDirectory's own outputFiles, collected from the shared folder", async () => {
    const execution = await run(
      `id: wd_outputs
namespace: company.team
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    outputFiles:
      - "reports/*.csv"
    tasks:
      - id: first
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - mkdir -p reports && echo "a,1" > reports/a.csv && echo ignored > notes.txt
      - id: second
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - echo "b,2" > reports/b.csv
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.wd.outputFiles['reports/b.csv'] }}"
`,
      'wd_outputs',
    );
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    const files = outputs(execution, 'wd')['outputFiles'] as Json;
    expect(Object.keys(files).sort()).toEqual(['reports/a.csv', 'reports/b.csv']);
    const file = await downloadFile(api, execution['id'], files['reports/b.csv'] as string);
    expect(file.text).toBe('b,2\n');
  });
});
