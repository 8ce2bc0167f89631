import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineWorld, startEngineWorld, states } from '../engine/engine-world';

/**
 * Tasks and expressions of a real engine (local adapters) reach KV and
 * namespace files through KvService / NamespaceFileService: the same
 * validation as the API, and `kv()` without a namespace searches the
 * parent namespaces like Kestra 1.x.
 */
describe('engine tasks and expressions use the KV and namespace-file services', () => {
  let world: EngineWorld;

  beforeAll(() => {
    world = startEngineWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  const messages = async (executionId: string) => (await world.logs(executionId)).map((l) => l.message).join('\n');

  it('reads a key of a parent namespace with kv() when the template names no namespace', async () => {
    await world.deploy(`id: put_parent
namespace: company
tasks:
  - id: set
    type: io.kestra.plugin.core.kv.Set
    key: shared_region
    value: eu-west-3
`);
    expect((await world.run('company', 'put_parent')).state.current).toBe('SUCCESS');
    await world.deploy(`id: read_inherited
namespace: company.team.data
tasks:
  - id: inherited
    type: io.kestra.plugin.core.log.Log
    message: "region={{ kv('shared_region') }}"
`);
    const e = await world.run('company.team.data', 'read_inherited');
    expect(states(e)).toEqual({ inherited: 'SUCCESS' });
    expect(await messages(e.id)).toContain('region=eu-west-3');
  });

  it('prefers the nearest namespace and keeps an explicit namespace exact', async () => {
    await world.deploy(`id: put_both
namespace: company.team
tasks:
  - id: parent
    type: io.kestra.plugin.core.kv.Set
    namespace: company
    key: level
    value: parent
  - id: own
    type: io.kestra.plugin.core.kv.Set
    key: level
    value: team
`);
    expect((await world.run('company.team', 'put_both')).state.current).toBe('SUCCESS');
    await world.deploy(`id: read_levels
namespace: company.team.data
tasks:
  - id: nearest
    type: io.kestra.plugin.core.log.Log
    message: "nearest={{ kv('level') }} explicit={{ kv('level', 'company') }}"
  - id: exact_missing
    type: io.kestra.plugin.core.log.Log
    message: "{{ kv('level', 'company.team.data') }}"
`);
    const e = await world.run('company.team.data', 'read_levels');
    expect(states(e)).toEqual({ nearest: 'SUCCESS', exact_missing: 'FAILED' });
    const logs = await messages(e.id);
    expect(logs).toContain('nearest=team explicit=parent');
    expect(logs).toContain("The key 'level' does not exist in the namespace 'company.team.data'");
  });

  it('refuses a namespace file written by a task under the reserved _flows folder', async () => {
    await world.deploy(`id: reserved_upload
namespace: company.team
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: "id: sneaky"
    extension: .yml
  - id: upload
    type: io.kestra.plugin.core.namespace.UploadFiles
    namespace: company.team
    filesMap:
      /_flows/sneaky.yml: "{{ outputs.write.uri }}"
`);
    const e = await world.run('company.team', 'reserved_upload');
    expect(states(e)).toEqual({ write: 'SUCCESS', upload: 'FAILED' });
    expect(await messages(e.id)).toContain("'/_flows' is reserved");
    expect(await world.ports.namespaceFiles.get('main', 'company.team', '/_flows/sneaky.yml')).toBeUndefined();
  });
});
