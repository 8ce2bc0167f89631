/**
 * Git benchmarks (issue 6): full SyncFlows of a generated 1,000-flow repository,
 * no-op sync of the same, and PushFlows of 1,000 flows, against the real
 * `git http-backend` test server on loopback. Prints a table; targets are
 * < 5 s for the full sync and < 300 ms for the no-op sync.
 *
 *   node --import tsx scripts/bench/git-sync.ts [flows=1000]
 */
import { PushFlows, SyncFlows } from '@windhover/tasks';
import { startGitServer } from '../../test/support/git-server';
import { createTaskWorld } from '../../test/support/task-world';

const count = Number(process.argv[2] ?? 1000);
const flow = (i: number) =>
  `id: flow_${i}\nnamespace: bench\ndescription: generated flow ${i}\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: "hello {{ execution.id }} from ${i}"\n  - id: second\n    type: io.kestra.plugin.core.debug.Return\n    format: "${i}"\n`;

const server = await startGitServer();
try {
  server.createRepo('bench');
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`flows/team${i % 10}/flow_${i}.yml`] = flow(i);
  server.commit('bench', files);
  const w = createTaskWorld({ secrets: { T: server.password } });
  const conn = { url: server.url('bench'), username: server.username, password: "{{ secret('T') }}" };
  const sync = { id: 's', type: 'io.kestra.plugin.git.SyncFlows', ...conn, targetNamespace: 'bench', gitDirectory: 'flows', includeChildNamespaces: true, delete: true };

  const time = async (fn: () => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  const full = await time(() => SyncFlows.run(sync, w.context()));
  const noop: number[] = [];
  for (let i = 0; i < 5; i++) noop.push(await time(() => SyncFlows.run(sync, w.context())));
  server.createRepo('bench-push');
  const push = await time(() =>
    PushFlows.run(
      { id: 'p', type: 'io.kestra.plugin.git.PushFlows', url: server.url('bench-push'), username: server.username, password: "{{ secret('T') }}", sourceNamespace: 'bench', includeChildNamespaces: true, gitDirectory: 'flows' },
      w.context(),
    ),
  );
  const pushNoop = await time(() =>
    PushFlows.run(
      { id: 'p', type: 'io.kestra.plugin.git.PushFlows', url: server.url('bench-push'), username: server.username, password: "{{ secret('T') }}", sourceNamespace: 'bench', includeChildNamespaces: true, gitDirectory: 'flows' },
      w.context(),
    ),
  );
  const flowsSynced = (await w.flows.list({ namespace: 'bench', includeChildNamespaces: true })).length;
  noop.sort((a, b) => a - b);
  const rows = [
    ['full SyncFlows', `${count} flows`, `${full.toFixed(0)} ms`, '< 5000 ms'],
    ['no-op SyncFlows (median of 5)', `${flowsSynced} flows`, `${noop[2].toFixed(0)} ms`, '< 300 ms'],
    ['PushFlows (first push)', `${count} flows`, `${push.toFixed(0)} ms`, ''],
    ['PushFlows (nothing changed)', `${count} flows`, `${pushNoop.toFixed(0)} ms`, ''],
  ];
  process.stdout.write('| benchmark | size | time | target |\n|---|---|---|---|\n');
  for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
} finally {
  await server.stop();
}
