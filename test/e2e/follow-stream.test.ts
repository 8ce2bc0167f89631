import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, type Json, client, startE2eServer } from './local-client';

const PAUSED = `id: paused
namespace: company.follow
tasks:
  - id: before
    type: io.kestra.plugin.core.log.Log
    message: before the pause
  - id: warn
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: a warning
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: resumed
`;

interface SseEvent {
  readonly id?: string;
  readonly event?: string;
  readonly data?: Json;
}

/** Reads server-sent events from a streamed response as they arrive. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  // A read outlives a timed-out wait: the next wait takes it over, so no chunk is lost.
  let pending: ReturnType<typeof reader.read> | undefined;
  return {
    get ended() {
      return ended;
    },
    /** The next event that carries data (comments and retry hints are skipped). */
    async next(timeoutMs = 10_000): Promise<SseEvent | undefined> {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const i = buffer.indexOf('\n\n');
        if (i >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
          if (fields['data'] === undefined) continue;
          return { id: fields['id'], event: fields['event'], data: JSON.parse(fields['data']) as Json };
        }
        if (ended) return undefined;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no event in time');
        pending ??= reader.read();
        const chunk = await Promise.race([pending, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), left))]);
        if (chunk === 'timeout') throw new Error('no event in time');
        pending = undefined;
        if (chunk.done) ended = true;
        else buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

const state = (e: SseEvent | undefined) => String((e?.data?.['state'] as Json | undefined)?.['current']);

describe('GET /executions/{id}/follow streams server-sent events', () => {
  let server: LocalServer;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await startE2eServer();
    api = client(server.url);
    expect((await api.createFlow(PAUSED)).status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
  });

  const open = async (id: string) => {
    const res = await fetch(`${server.url}/api/v1/main/executions/${id}/follow`, { headers: { authorization: AUTH } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    return sseReader(res.body!);
  };

  it('sends progress while the execution runs, each change as it happens, then end and closes', async () => {
    const id = String((await api.execute('company.follow', 'paused')).json['id']);
    await api.waitForState(id, ['PAUSED']);
    const events = await open(id);
    const first = await events.next();
    expect(first).toMatchObject({ id: 'progress', event: 'progress', data: { id } });
    expect(state(first)).toBe('PAUSED');
    // The stream is still open: nothing more until something changes.
    await expect(events.next(300)).rejects.toThrow('no event in time');
    expect((await api.call('POST', `/api/v1/main/executions/${id}/resume`)).status).toBe(204);
    const seen: SseEvent[] = [];
    for (let e = await events.next(); e; e = await events.next()) seen.push(e);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.slice(0, -1).every((e) => e.id === 'progress')).toBe(true);
    expect(seen.at(-1)).toMatchObject({ id: 'end', event: 'end', data: { id } });
    expect(state(seen.at(-1))).toBe('SUCCESS');
    expect(state(seen.at(-2))).toBe('SUCCESS');
    expect(events.ended).toBe(true);
  });

  it('answers only end for an execution that has already terminated, and 404 for an unknown one', async () => {
    const done = await api.execute('company.follow', 'paused');
    const id = String(done.json['id']);
    await api.waitForState(id, ['PAUSED']);
    await api.call('DELETE', `/api/v1/main/executions/${id}/kill`);
    await api.waitForState(id, ['KILLED']);
    const events = await open(id);
    const only = await events.next();
    expect(only).toMatchObject({ id: 'end', data: { id } });
    expect(state(only)).toBe('KILLED');
    expect(await events.next()).toBeUndefined();
    expect((await api.call('GET', '/api/v1/main/executions/doesNotExist123/follow')).status).toBe(404);
  });

  it('stops following when the client goes away, and the server keeps answering', async () => {
    const id = String((await api.execute('company.follow', 'paused')).json['id']);
    await api.waitForState(id, ['PAUSED']);
    const events = await open(id);
    expect((await events.next())?.id).toBe('progress');
    await events.cancel();
    expect((await api.execution(id)).status).toBe(200);
    await api.call('DELETE', `/api/v1/main/executions/${id}/kill`);
    await api.waitForState(id, ['KILLED']);
  });

  it('GET /logs/{id}/follow sends the stored logs, then each new log line as it is written', async () => {
    const id = String((await api.execute('company.follow', 'paused')).json['id']);
    await api.waitForState(id, ['PAUSED']);
    const res = await fetch(`${server.url}/api/v1/main/logs/${id}/follow`, { headers: { authorization: AUTH } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const logs = sseReader(res.body!);
    const first = await logs.next();
    expect(first).toMatchObject({ id: 'progress', data: { executionId: id, taskId: 'before', level: 'INFO', message: 'before the pause' } });
    expect((await logs.next())?.data).toMatchObject({ taskId: 'warn', level: 'WARN' });
    await expect(logs.next(300)).rejects.toThrow('no event in time');
    expect((await api.call('POST', `/api/v1/main/executions/${id}/resume`)).status).toBe(204);
    expect((await logs.next())?.data).toMatchObject({ taskId: 'after', message: 'resumed' });
    await api.waitForState(id, ['SUCCESS']);
    // Like Kestra, the stream stays open once the execution has ended, with nothing replayed.
    await expect(logs.next(1500)).rejects.toThrow('no event in time');
    await logs.cancel();

    const warnOnly = await fetch(`${server.url}/api/v1/main/logs/${id}/follow?minLevel=WARN`, { headers: { authorization: AUTH } });
    const filtered = sseReader(warnOnly.body!);
    expect((await filtered.next())?.data).toMatchObject({ taskId: 'warn', level: 'WARN' });
    await expect(filtered.next(500)).rejects.toThrow('no event in time');
    await filtered.cancel();
    expect((await api.call('GET', `/api/v1/main/logs/${id}/follow?minLevel=LOUD`)).status).toBe(400);
    expect((await api.call('GET', '/api/v1/main/logs/doesNotExist123/follow')).status).toBe(404);
  });
});
