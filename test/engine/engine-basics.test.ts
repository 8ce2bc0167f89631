import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineWorld, startEngineWorld, states } from './engine-world';

let w: EngineWorld;
beforeAll(() => {
  w = startEngineWorld({ secrets: { TOKEN: 's3cr3t-value' } });
});
afterAll(async () => {
  await w.close();
});

describe('engine on the local adapters', () => {
  it('runs a flow of Log and Return tasks to SUCCESS and stores the logs', async () => {
    await w.deploy(`
id: hello
namespace: company.team
inputs:
  - id: user
    type: STRING
    defaults: Kestra
tasks:
  - id: greet
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ inputs.user }}"
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs | length }} tasks before me"
`);
    const e = await w.run('company.team', 'hello', { user: 'Ada' });
    expect(e.state.current).toBe('SUCCESS');
    expect(states(e)).toEqual({ greet: 'SUCCESS', ret: 'SUCCESS' });
    expect(e.taskRunList[1].outputs).toEqual({ value: '0 tasks before me' });
    const logs = await w.logs(e.id);
    expect(logs.map((l) => l.message)).toContain('Hello Ada');
  });

  it('masks secrets in task logs', async () => {
    await w.deploy(`
id: secret_log
namespace: company.team
tasks:
  - id: leak
    type: io.kestra.plugin.core.log.Log
    message: "token is {{ secret('TOKEN') }}"
`);
    const e = await w.run('company.team', 'secret_log');
    expect(e.state.current).toBe('SUCCESS');
    const messages = (await w.logs(e.id)).map((l) => l.message);
    expect(messages).toContain('token is ******');
    expect(messages.join('\n')).not.toContain('s3cr3t-value');
  });

  it('rejects invalid inputs and creates no execution', async () => {
    await w.deploy(`
id: typed_inputs
namespace: company.team
inputs:
  - id: count
    type: INT
    min: 1
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.count }}"
`);
    await expect(w.engine.executionService.create({ tenantId: 'main', namespace: 'company.team', flowId: 'typed_inputs', inputs: { count: 'abc' } })).rejects.toMatchObject({ code: 'INVALID' });
    const page = await w.ports.executions.find('main', { namespace: 'company.team', flowId: 'typed_inputs' });
    expect(page.total).toBe(0);
  });

  it('runs ForEach iterations with outputs nested by value', async () => {
    await w.deploy(`
id: loop
namespace: company.team
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b", "c"]
    concurrencyLimit: 0
    tasks:
      - id: inner
        type: io.kestra.plugin.core.debug.Return
        format: "v={{ taskrun.value }}"
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.inner['b'].value }}"
`);
    const e = await w.run('company.team', 'loop');
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList.find((r) => r.taskId === 'after')?.outputs).toEqual({ value: 'v=b' });
  });
});
