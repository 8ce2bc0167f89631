import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@windhover/cli';
import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, USER, client, startE2eServer } from '../e2e/local-client';

let server: LocalServer;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  server = await startE2eServer();
  api = client(server.url);
});
afterAll(async () => {
  await server?.close();
});

/** A KestraFlow manifest whose flow calls `target` of the same namespace. */
const manifest = (id: string, target: string) => `apiVersion: model.kestra.io/v1alpha1
kind: KestraFlow
metadata:
  name: ${id}
spec:
  id: ${id}
  namespace: cycles.apply
  source: |
    id: ${id}
    namespace: cycles.apply
    tasks:
      - id: call
        type: io.kestra.plugin.core.flow.Subflow
        namespace: cycles.apply
        flowId: ${target}
`;

async function apply(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['apply', ...args, '--server', server.url, '--user', `${USER}:${PASSWORD}`], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out, err };
}

describe('windhover apply and subflow cycles', () => {
  it('applies nothing when the manifests hold flows that call each other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wh-apply-cycles-'));
    writeFileSync(join(dir, 'a.yaml'), manifest('a', 'b'));
    writeFileSync(join(dir, 'b.yaml'), manifest('b', 'a'));
    const r = await apply(['-f', dir]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/Nothing was applied[\s\S]*Recursive call to flow \[cycles\.apply\.a\]: cycles\.apply\.a -> cycles\.apply\.b -> cycles\.apply\.a/);
    expect((await api.call('GET', '/api/v1/main/flows/cycles.apply/a')).status).toBe(404);
    expect((await api.call('GET', '/api/v1/main/flows/cycles.apply/b')).status).toBe(404);
  });
});
