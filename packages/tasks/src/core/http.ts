import type { JsonValue, RunContext, RunnableTaskPlugin, TaskDefinition } from '@windhover/core';
import { TaskFailure, parseDurationMs } from '@windhover/core';
import { HTTP_DESCRIPTORS } from '../schemas/http';
import { descriptorOf } from './descriptor';

const P = 'io.kestra.plugin.core.http';

interface Prepared {
  readonly url: string;
  readonly init: RequestInit;
  readonly allowFailed: boolean;
  readonly allowedCodes: readonly number[];
  readonly timeoutMs: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

async function prepare(task: TaskDefinition, ctx: RunContext): Promise<Prepared> {
  const url = await ctx.renderString(task['uri']);
  try {
    new URL(url);
  } catch {
    throw TaskFailure.nonRetryable(`Invalid uri '${url}'`);
  }
  const method = task['method'] === undefined ? 'GET' : (await ctx.renderString(task['method'])).toUpperCase();
  const options = (isObj(task['options']) ? await ctx.render(task['options']) : {}) as Obj;
  const headers = new Headers();
  const rawHeaders = (await ctx.render(task['headers'] ?? {})) as Obj;
  for (const [k, v] of Object.entries(rawHeaders ?? {})) headers.set(k, Array.isArray(v) ? v.map(String).join(', ') : String(v));
  const auth = (isObj(task['auth']) ? await ctx.render(task['auth']) : undefined) as Obj | undefined;
  if (auth?.['type'] === 'BEARER') headers.set('Authorization', `Bearer ${String(auth['token'] ?? '')}`);
  else if (auth?.['type'] === 'BASIC' || options['basicAuthUser'] !== undefined) {
    const user = String(auth?.['username'] ?? options['basicAuthUser'] ?? '');
    const pass = String(auth?.['password'] ?? options['basicAuthPassword'] ?? '');
    headers.set('Authorization', `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`);
  }
  let body: string | FormData | URLSearchParams | undefined;
  const contentType = task['contentType'] === undefined ? undefined : await ctx.renderString(task['contentType']);
  if (task['formData'] !== undefined) {
    const form = (await ctx.render(task['formData'])) as Obj;
    if (contentType?.startsWith('multipart/form-data')) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(form)) {
        if (isObj(v) && 'content' in v) {
          const content = String(v['content']);
          const data = content.startsWith('kestra://') ? await ctx.storage.getFile(content) : new TextEncoder().encode(content);
          fd.append(k, new Blob([data]), String(v['name'] ?? k));
        } else fd.append(k, typeof v === 'string' ? v : JSON.stringify(v));
      }
      body = fd;
    } else {
      body = new URLSearchParams(Object.entries(form).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
      headers.set('Content-Type', 'application/x-www-form-urlencoded');
    }
  } else if (task['body'] !== undefined) {
    const rendered = await ctx.render(task['body']);
    body = typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
    if (!headers.has('Content-Type')) headers.set('Content-Type', contentType ?? 'application/json');
  }
  if (contentType && !headers.has('Content-Type') && !(body instanceof FormData)) headers.set('Content-Type', contentType);
  const allowedCodes = Array.isArray(options['allowedResponseCodes']) ? options['allowedResponseCodes'].map(Number) : [];
  return {
    url,
    init: {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: options['followRedirects'] === false ? 'manual' : 'follow',
    },
    allowFailed: task['allowFailed'] === true || options['allowFailed'] === true,
    allowedCodes,
    timeoutMs: parseDurationMs(options['readTimeout']) ?? parseDurationMs('PT10S')! * 30,
  };
}

async function send(p: Prepared, ctx: RunContext): Promise<Response> {
  const timeout = AbortSignal.timeout(p.timeoutMs);
  try {
    return await fetch(p.url, { ...p.init, signal: AbortSignal.any([ctx.signal, timeout]) });
  } catch (e) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw new TaskFailure(`HTTP request to ${p.url} failed: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`);
  }
}

function headerMap(res: Response): Record<string, JsonValue> {
  const out: Record<string, string[]> = {};
  res.headers.forEach((v, k) => {
    if (!out[k]) out[k] = [];
    out[k].push(v);
  });
  return out;
}

function checkStatus(p: Prepared, res: Response): void {
  if (res.status >= 400 && !p.allowFailed && !p.allowedCodes.includes(res.status)) {
    throw new TaskFailure(`Failed http request with response code '${res.status}'`, true, { code: res.status });
  }
}

/** io.kestra.plugin.core.http.Request: outputs `uri`, `code`, `headers` (lists), `body` (text). */
export const Request: RunnableTaskPlugin = {
  ...descriptorOf(HTTP_DESCRIPTORS, `${P}.Request`),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    const p = await prepare(task, ctx);
    ctx.logger.debug(`${String(p.init.method)} ${p.url}`);
    const res = await send(p, ctx);
    const body = await res.text();
    checkStatus(p, res);
    return { outputs: { uri: p.url, code: res.status, headers: headerMap(res), body } };
  },
};

/** io.kestra.plugin.core.http.Download: the response body as a file; outputs `uri`, `code`, `length`, `headers`. */
export const Download: RunnableTaskPlugin = {
  ...descriptorOf(HTTP_DESCRIPTORS, `${P}.Download`),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    const p = await prepare(task, ctx);
    const res = await send(p, ctx);
    const data = new Uint8Array(await res.arrayBuffer());
    checkStatus(p, res);
    if (data.length === 0 && task['failOnEmptyResponse'] !== false) throw new TaskFailure(`No response from server for ${p.url}`);
    const disposition = res.headers.get('content-disposition');
    const named = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] : undefined;
    const fromPath = new URL(p.url).pathname.split('/').pop();
    const uri = await ctx.storage.putFile(named || fromPath || `${ctx.taskId}.bin`, data);
    return { outputs: { uri, code: res.status, length: data.length, headers: headerMap(res) } };
  },
};
