import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TriggerServer, startTriggerServer } from './trigger-server';

const GITHUB_SECRET = 'It is a secret to everybody';

const PUSH_FLOW = `id: on_push
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "push to {{ trigger.body.repository.full_name }} by {{ trigger.body.pusher.name }} ({{ trigger.headers['X-Github-Event'] | first }})"
triggers:
  - id: github
    type: io.kestra.plugin.core.trigger.Webhook
    key: "{{ secret('WEBHOOK_KEY') }}"
    signature:
      type: GITHUB
      secret: "{{ secret('GITHUB_WEBHOOK_SECRET') }}"
`;

const SYNC_FLOW = `id: sync
namespace: company.team
tasks:
  - id: make
    type: io.kestra.plugin.core.debug.Return
    format: "Hello {{ trigger.parameters.name[0] ?? 'world' }}!"
outputs:
  - id: greeting
    type: STRING
    value: "{{ outputs.make.value }}"
triggers:
  - id: webhook
    type: io.kestra.plugin.core.trigger.Webhook
    key: sync-key
    wait: true
    returnOutputs: true
`;

const TEXT_FLOW = SYNC_FLOW.replace('id: sync', 'id: sync_text').replace('returnOutputs: true', 'returnOutputs: true\n    responseContentType: text/plain');

const CONDITIONAL_FLOW = `id: conditional
namespace: company.team
inputs:
  - id: ref
    type: STRING
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.ref }}"
triggers:
  - id: webhook
    type: io.kestra.plugin.core.trigger.Webhook
    key: cond-key
    inputs:
      ref: "{{ trigger.body.ref }}"
    conditions:
      - type: io.kestra.plugin.core.condition.Expression
        expression: "{{ trigger.body.ref == 'refs/heads/main' }}"
`;

const GITLAB_FLOW = `id: gitlab
namespace: company.team
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: gitlab
triggers:
  - id: webhook
    type: io.kestra.plugin.core.trigger.Webhook
    key: gitlab-key
    signature:
      type: GITLAB
      secret: "{{ secret('GITLAB_TOKEN') }}"
`;

const DISABLED_FLOW = `id: off
namespace: company.team
disabled: true
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: never
triggers:
  - id: webhook
    type: io.kestra.plugin.core.trigger.Webhook
    key: off-key
`;

const sign = (body: string, secret = GITHUB_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('webhook trigger over HTTP', () => {
  let s: TriggerServer;
  const hook = (flowId: string, key: string, query = '') => `/api/v1/main/executions/webhook/company.team/${flowId}/${key}${query}`;
  const executionsOf = async (flowId: string) => {
    const r = await s.call('GET', `/api/v1/main/executions/search?namespace=company.team&flowId=${flowId}&size=100`);
    return (r.json as { total: number }).total;
  };
  const waitForState = async (id: string, states: readonly string[]) => {
    for (let i = 0; i < 400; i++) {
      const r = await s.call('GET', `/api/v1/main/executions/${id}`);
      const state = (r.json as { state?: { current?: string } }).state?.current;
      if (state && states.includes(state)) return r.json as Record<string, unknown>;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error(`execution ${id} did not reach ${states.join('|')}`);
  };

  beforeAll(async () => {
    s = await startTriggerServer(
      { WEBHOOK_KEY: 'push-key-123', GITHUB_WEBHOOK_SECRET: GITHUB_SECRET, GITLAB_TOKEN: 'gl-token' },
      { webhookMaxBodyBytes: 64 * 1024 },
    );
    for (const flow of [PUSH_FLOW, SYNC_FLOW, TEXT_FLOW, CONDITIONAL_FLOW, GITLAB_FLOW, DISABLED_FLOW]) {
      const r = await s.call('POST', '/api/v1/main/flows', { body: flow, headers: { 'content-type': 'application/x-yaml' } });
      expect(r.status, r.text).toBe(200);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('starts an execution from a GitHub-signed push, without credentials, and logs a field of the JSON body', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'octo/hello' }, pusher: { name: 'mona' } });
    const r = await s.call('POST', hook('on_push', 'push-key-123'), {
      auth: false,
      body,
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign(body) },
    });
    expect(r.status, r.text).toBe(200);
    const created = r.json as { id: string; namespace: string; flowId: string; trigger: { id: string; variables: { body: unknown } }; url: string };
    expect(created).toMatchObject({ namespace: 'company.team', flowId: 'on_push', trigger: { id: 'github' } });
    expect(created.trigger.variables.body).toEqual(JSON.parse(body));
    expect(created.url).toBe(`${s.url}/ui/main/executions/company.team/on_push/${created.id}`);
    await waitForState(created.id, ['SUCCESS']);
    const logs = await s.call('GET', `/api/v1/main/logs/${created.id}`);
    expect((logs.json as { message: string }[]).map((l) => l.message)).toContain('push to octo/hello by mona (push)');
  });

  it('refuses a missing or wrong signature with 401 and creates nothing', async () => {
    const before = await executionsOf('on_push');
    const body = JSON.stringify({ repository: { full_name: 'evil/repo' } });
    const wrong = await s.call('POST', hook('on_push', 'push-key-123'), {
      auth: false,
      body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, 'not the secret') },
    });
    expect(wrong.status).toBe(401);
    const tampered = await s.call('POST', hook('on_push', 'push-key-123'), {
      auth: false,
      body: `${body} `,
      headers: { 'x-hub-signature-256': sign(body) },
    });
    expect(tampered.status).toBe(401);
    const missing = await s.call('POST', hook('on_push', 'push-key-123'), { auth: false, body });
    expect(missing.status).toBe(401);
    expect(await executionsOf('on_push')).toBe(before);
  });

  it('checks GitLab tokens', async () => {
    expect((await s.call('POST', hook('gitlab', 'gitlab-key'), { auth: false, body: '{}', headers: { 'x-gitlab-token': 'wrong' } })).status).toBe(401);
    const ok = await s.call('POST', hook('gitlab', 'gitlab-key'), { auth: false, body: '{}', headers: { 'x-gitlab-token': 'gl-token', 'x-gitlab-event': 'Push Hook' } });
    expect(ok.status).toBe(200);
    // The token is the secret: it is not kept in the execution's trigger variables.
    const headers = (ok.json as { trigger: { variables: { headers: Record<string, string[]> } } }).trigger.variables.headers;
    expect(headers['x-gitlab-event']).toEqual(['Push Hook']);
    expect(headers['X-Gitlab-Event']).toEqual(['Push Hook']);
    expect(JSON.stringify(headers)).not.toContain('gl-token');
  });

  it('answers 404 for an unknown flow or key and 409 for a disabled flow', async () => {
    expect((await s.call('POST', hook('on_push', 'wrong-key'), { auth: false, body: '{}' })).status).toBe(404);
    expect((await s.call('GET', hook('nope', 'push-key-123'), { auth: false })).status).toBe(404);
    // A trailing path is no webhook route (unauthenticated callers learn nothing more than 401).
    expect((await s.call('GET', `${hook('sync', 'sync-key')}/extra`)).status).toBe(404);
    expect((await s.call('POST', hook('off', 'off-key'), { auth: false, body: '{}' })).status).toBe(409);
    expect((await s.call('DELETE', hook('sync', 'sync-key'), { auth: false })).status).not.toBe(200);
  });

  it('answers 204 and starts nothing when the conditions say no, and renders inputs from the body when they say yes', async () => {
    const no = await s.call('POST', hook('conditional', 'cond-key'), { auth: false, body: JSON.stringify({ ref: 'refs/heads/dev' }) });
    expect(no.status).toBe(204);
    expect(await executionsOf('conditional')).toBe(0);
    const yes = await s.call('PUT', hook('conditional', 'cond-key'), { auth: false, body: JSON.stringify({ ref: 'refs/heads/main' }) });
    expect(yes.status, yes.text).toBe(200);
    const e = await waitForState((yes.json as { id: string }).id, ['SUCCESS']);
    expect(e.inputs).toEqual({ ref: 'refs/heads/main' });
  });

  it('waits for the execution and returns the flow outputs with returnOutputs', async () => {
    const r = await s.call('GET', hook('sync', 'sync-key', '?name=Alice'), { auth: false });
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/json');
    expect(r.json).toEqual({ greeting: 'Hello Alice!' });
    const text = await s.call('GET', hook('sync_text', 'sync-key', '?name=Bob'), { auth: false });
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toContain('text/plain');
    expect(text.text).toBe('Hello Bob!');
  });

  it('passes a body that is not JSON as a string', async () => {
    const r = await s.call('POST', hook('gitlab', 'gitlab-key'), { auth: false, body: 'plain text', headers: { 'x-gitlab-token': 'gl-token' } });
    expect((r.json as { trigger: { variables: { body: unknown } } }).trigger.variables.body).toBe('plain text');
  });

  it('refuses a body over the configured size limit with 413 and creates nothing', async () => {
    const before = await executionsOf('gitlab');
    const big = await s.call('POST', hook('gitlab', 'gitlab-key'), { auth: false, body: new Uint8Array(64 * 1024 + 1), headers: { 'x-gitlab-token': 'gl-token' } });
    expect(big.status).toBe(413);
    expect(await executionsOf('gitlab')).toBe(before);
    const fits = await s.call('POST', hook('gitlab', 'gitlab-key'), { auth: false, body: new Uint8Array(64 * 1024), headers: { 'x-gitlab-token': 'gl-token' } });
    expect(fits.status).toBe(200);
  });
});
