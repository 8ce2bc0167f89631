import { readFileSync, readdirSync } from 'node:fs';
import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Json, client, startE2eServer } from './local-client';

const DIR = '/work/shared/examples/docs-flows';
const files = readdirSync(DIR);
const source = (n: string): string => readFileSync(`${DIR}/${files.find((f) => f.startsWith(n))!}`, 'utf8');

type Api = ReturnType<typeof client>;

interface Case {
  readonly file: string;
  readonly state: string;
  readonly inputs?: Record<string, string>;
  readonly deps?: readonly string[];
  readonly check?: (e: Json, api: Api) => Promise<void> | void;
}

/** taskId (with its loop value) → state, as the API returns the task runs. */
function states(e: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of e['taskRunList'] as Json[]) {
    out[r['value'] === undefined ? String(r['taskId']) : `${r['taskId']}[${r['value']}]`] = String((r['state'] as Json)['current']);
  }
  return out;
}

async function logs(api: Api, e: Json): Promise<Json[]> {
  return (await api.call('GET', `/api/v1/main/logs/${e['id']}`)).json as unknown as Json[];
}
const messages = async (api: Api, e: Json) => (await logs(api, e)).map((l) => String(l['message']));

/**
 * Documentation flows (Kestra docs, seed 002) that use only implemented
 * tasks, with the final state their page describes — driven over HTTP
 * against the local edition, as a Kestra user or client would.
 */
const CASES: readonly Case[] = [
  { file: '0001', state: 'SUCCESS', check: async (e, api) => expect(await messages(api, e)).toContain('Load north into landing-north') },
  { file: '0002', state: 'SUCCESS', check: async (e, api) => expect(await messages(api, e)).toContain('User 101 -> a@example.com') },
  { file: '0028', state: 'SUCCESS' },
  { file: '0029', state: 'SUCCESS', check: (e) => expect(states(e)).toEqual({ if: 'SUCCESS', when_true: 'SUCCESS' }) },
  { file: '0030', state: 'SUCCESS', check: async (e, api) => expect(await messages(api, e)).toContain('Hello World!') },
  { file: '0074', state: 'SUCCESS' },
  { file: '0092', state: 'FAILED' },
  { file: '0093', state: 'FAILED', deps: ['0092'], check: (e) => expect(states(e)).toEqual({ disabled_subflow: 'FAILED' }) },
  { file: '0096', state: 'SUCCESS', check: (e) => expect(states(e)).toEqual({ enabled: 'SUCCESS' }) },
  { file: '0098', state: 'FAILED', check: async (e, api) => expect(await messages(api, e)).toContain("I'm failing task 'failed'") },
  { file: '0099', state: 'FAILED', check: (e) => expect(states(e)).toMatchObject({ t1: 'SUCCESS', 't2-t1': 'FAILED', 'error-t1': 'SUCCESS', 'parent-seq': 'FAILED' }) },
  { file: '0100', state: 'WARNING', check: (e) => expect(states(e)).toEqual({ first: 'SUCCESS', allow_failure: 'WARNING', last: 'SUCCESS' }) },
  { file: '0111', state: 'FAILED', check: (e) => expect(states(e)).toEqual({ fail: 'FAILED', send_alert: 'SUCCESS', cleanup_task: 'SUCCESS' }) },
  { file: '0117', state: 'SUCCESS' },
  { file: '0119', state: 'SUCCESS' },
  { file: '0124', state: 'SUCCESS' },
  { file: '0125', state: 'SUCCESS' },
  { file: '0127', state: 'SUCCESS' },
  { file: '0128', state: 'SUCCESS', check: async (e, api) => expect(await messages(api, e)).toContain(`The previous task output is my output ${e['id']}`) },
  { file: '0131', state: 'SUCCESS', check: (e) => expect(e['outputs']).toEqual({ final: 'this is a task output used as a final flow output' }) },
  { file: '0132', state: 'SUCCESS', deps: ['0131'], check: async (e, api) => expect(await messages(api, e)).toContain('this is a task output used as a final flow output') },
  { file: '0133', state: 'SUCCESS', inputs: { run_task: 'true' }, check: (e) => expect(e['outputs']).toEqual({ flow_output: 'Hello World!' }) },
  { file: '0133', state: 'SUCCESS', inputs: { run_task: 'false' }, check: (e) => expect(e['outputs']).toEqual({ flow_output: 'fallback output' }) },
  { file: '0134', state: 'SUCCESS' },
  { file: '0136', state: 'SUCCESS' },
  { file: '0149', state: 'SUCCESS', check: async (e, api) => expect((await messages(api, e)).some((m) => m.startsWith('hello {'))).toBe(true) },
  { file: '0150', state: 'SUCCESS' },
  { file: '0151', state: 'SUCCESS' },
  { file: '0152', state: 'SUCCESS', inputs: { param: 'true' }, check: (e) => expect(states(e)).toEqual({ decision: 'SUCCESS', is_true: 'SUCCESS' }) },
  { file: '0153', state: 'SUCCESS', inputs: { param: 'false' }, check: (e) => expect(states(e)).toEqual({ if: 'SUCCESS', when_false: 'SUCCESS' }) },
  { file: '0154', state: 'SUCCESS' },
  { file: '0158', state: 'WARNING', check: (e) => expect(states(e)).toEqual({ allow_failure: 'WARNING', ko: 'FAILED', end: 'SUCCESS' }) },
  { file: '0159', state: 'FAILED', inputs: { param: 'notexist' } },
  { file: '0159', state: 'SUCCESS', inputs: { param: 'case1' } },
  { file: '0160', state: 'FAILED', inputs: { param: 'fail' }, check: (e) => expect(states(e)).toEqual({ before: 'SUCCESS', fail: 'FAILED' }) },
  { file: '0160', state: 'SUCCESS', inputs: { param: 'ok' }, check: (e) => expect(states(e)).toEqual({ before: 'SUCCESS', fail: 'SUCCESS', after: 'SUCCESS' }) },
  { file: '0166', state: 'SUCCESS' },
  { file: '0168', state: 'SUCCESS' },
  { file: '0169', state: 'SUCCESS' },
  {
    file: '0170',
    state: 'SUCCESS',
    check: async (e, api) => expect((await logs(api, e)).filter((l) => l['taskId'] === 'log_parent').map((l) => l['message']).sort()).toEqual(['1', '2']),
  },
  {
    file: '0171',
    state: 'SUCCESS',
    check: async (e, api) => {
      const lines = (await logs(api, e)).filter((l) => l['taskId'] === 'switch_1' || l['taskId'] === 'switch_2').map((l) => `${l['taskId']}:${l['message']}`);
      expect(lines.sort()).toEqual(['switch_1:case1', 'switch_1:caseB', 'switch_2:case2', 'switch_2:caseB']);
    },
  },
  { file: '0186', state: 'SUCCESS' },
  { file: '0187', state: 'SUCCESS' },
  { file: '0189', state: 'SUCCESS' },
  { file: '0191', state: 'SUCCESS' },
  { file: '0192', state: 'SUCCESS' },
];

describe('documentation flows over HTTP on the local edition', () => {
  let server: LocalServer;
  let api: Api;

  beforeAll(async () => {
    server = await startE2eServer();
    api = client(server.url);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Creates or updates a flow the way kestractl/CI do: the namespace bulk endpoint, without deleting others. */
  const deploy = async (src: string) => {
    const { namespace } = parse(src) as { namespace: string };
    const r = await api.call('POST', `/api/v1/main/flows/${namespace}?delete=false`, { body: src, contentType: 'application/x-yaml' });
    expect(r.status, r.text).toBe(200);
  };

  for (const c of CASES) {
    const flow = parse(source(c.file)) as { id: string; namespace: string };
    it(`${c.file} ${flow.namespace}.${flow.id} ends ${c.state}${c.inputs ? ` with ${JSON.stringify(c.inputs)}` : ''}`, async () => {
      for (const d of c.deps ?? []) await deploy(source(d));
      await deploy(source(c.file));
      const form = new FormData();
      for (const [k, v] of Object.entries(c.inputs ?? {})) form.append(k, v);
      const r = await api.execute(flow.namespace, flow.id, form, '?wait=true');
      expect(r.status, r.text).toBe(200);
      expect((r.json['state'] as Json)['current']).toBe(c.state);
      await c.check?.(r.json, api);
    });
  }
});
