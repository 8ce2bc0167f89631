import type { Execution, ExecutionQuery, Flow, InputDefinition, Label, StateType } from '@windhover/core';
import {
  BadRequestError,
  ExecutionNotFoundError,
  FlowIndex,
  FlowNotFoundError,
  IllegalStateError,
  NotFoundError,
  STATE_TYPES,
  ValidationError,
  inputId,
  isTerminated,
  resolveInputs,
} from '@windhover/core';
import { engineRenderer } from '../../engine/expression-functions';
import type { ApiDeps } from '../api-deps';
import { filePreview } from '../file-preview';
import type { ApiRequest, ApiResponse, Route } from '../http-types';
import { bodyForm, bodyJson, json, noContent, queryAll, queryBool, queryFilters, queryInt, queryOne } from '../request';
import type { UploadedInputFile } from '../../services/execution-commands';
import { SECRET_MASK, executionJson, executionStoragePrefix, executionUrl } from './execution-json';
import { resolvedFlowGraph, subflowsParam } from './flow-graph-routes';

const BASE = '/api/v1/:tenant/executions';
const WAIT_LIMIT_MS = 15 * 60_000;
/** A follower is told to reconnect after this long (the stream of a very long execution is renewed). */
const FOLLOW_LIMIT_MS = 60 * 60_000;

function parseLabels(values: readonly string[]): Label[] {
  return values.map((l) => {
    const i = l.indexOf(':');
    if (i <= 0) throw new BadRequestError(`invalid label '${l}', expected key:value`);
    return { key: l.slice(0, i), value: l.slice(i + 1) };
  });
}

/** Form fields become inputs (a repeated field is a list); file parts become FILE inputs. */
function formInputs(req: ApiRequest): { inputs: Record<string, unknown>; files: UploadedInputFile[] } {
  const form = bodyForm(req);
  const inputs: Record<string, unknown> = {};
  for (const [k, v] of form.fields) inputs[k] = v.length === 1 ? v[0] : [...v];
  // Kestra sends each file as a part named `files` whose filename is the input id; a part named after the input works too.
  const files = form.files.map((p) => {
    const inputId = p.name === 'files' ? (p.filename ?? '') : p.name;
    if (!inputId) throw new BadRequestError('file part without an input id');
    return { inputId, fileName: p.filename ?? inputId, ...(p.contentType ? { contentType: p.contentType } : {}), data: p.data };
  });
  return { inputs, files };
}

const parseIso = (v: string, name: string): string => {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new BadRequestError(`'${name}' must be an ISO-8601 date-time`);
  return d.toISOString();
};

/** ISO-8601 duration (days, hours, minutes, seconds) in milliseconds, for `timeRange`. */
function durationMs(v: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(v);
  if (!m || v === 'P' || v.endsWith('T')) throw new BadRequestError(`'timeRange' must be an ISO-8601 duration such as PT1H`);
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Number(m[4] ?? 0) * 1000;
}

function asStates(values: readonly string[]): StateType[] {
  return values.flatMap((v) => v.split(',')).map((s) => {
    const up = s.trim().toUpperCase();
    if (!(STATE_TYPES as readonly string[]).includes(up)) throw new BadRequestError(`unknown state '${s}'`);
    return up as StateType;
  });
}

/** Execution search query from Kestra 1.x `filters[...]` and the legacy parameters. */
export function executionQuery(req: ApiRequest, now: Date): ExecutionQuery {
  let namespace: string | undefined;
  let namespacePrefix = queryOne(req, 'namespace');
  let flowId = queryOne(req, 'flowId');
  let states = asStates(queryAll(req, 'state'));
  const labels: Record<string, string> = Object.fromEntries(parseLabels(queryAll(req, 'labels')).map((l) => [l.key, l.value]));
  let startDate = queryOne(req, 'startDate');
  let endDate = queryOne(req, 'endDate');
  let timeRange = queryOne(req, 'timeRange');
  let parentId = queryOne(req, 'triggerExecutionId');
  for (const f of queryFilters(req)) {
    const v = f.values[0] ?? '';
    switch (f.field) {
      case 'NAMESPACE':
        if (f.operation === 'EQUALS') namespace = v;
        else if (f.operation === 'PREFIX' || f.operation === 'STARTS_WITH') namespacePrefix = v;
        else throw new BadRequestError(`unsupported namespace filter operation '${f.operation}'`);
        break;
      case 'FLOW_ID':
        flowId = v;
        break;
      case 'STATE':
        if (f.operation !== 'EQUALS' && f.operation !== 'IN') throw new BadRequestError(`unsupported state filter operation '${f.operation}'`);
        states = asStates(f.values);
        break;
      case 'LABELS':
        if (f.key) labels[f.key] = v;
        else for (const l of parseLabels(f.values)) labels[l.key] = l.value;
        break;
      case 'START_DATE':
        if (f.operation.startsWith('GREATER')) startDate = v;
        else if (f.operation.startsWith('LESS')) endDate = v;
        else throw new BadRequestError(`unsupported date filter operation '${f.operation}'`);
        break;
      case 'END_DATE':
        endDate = v;
        break;
      case 'TIME_RANGE':
        timeRange = v;
        break;
      case 'TRIGGER_EXECUTION_ID':
        parentId = v;
        break;
      case 'SCOPE':
      case 'KIND':
      case 'CHILD_FILTER':
        break;
      default:
        throw new BadRequestError(`unsupported execution filter '${f.field}'`);
    }
  }
  if (timeRange) startDate = new Date(now.getTime() - durationMs(timeRange)).toISOString();
  const sort = queryOne(req, 'sort');
  return {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(namespacePrefix !== undefined ? { namespacePrefix } : {}),
    ...(flowId !== undefined ? { flowId } : {}),
    ...(states.length > 0 ? { states } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(startDate !== undefined ? { startDate: parseIso(startDate, 'startDate') } : {}),
    ...(endDate !== undefined ? { endDate: parseIso(endDate, 'endDate') } : {}),
    ...(parentId !== undefined ? { parentId } : {}),
    page: queryInt(req, 'page', { min: 1 }) ?? 1,
    size: queryInt(req, 'size', { min: 1, max: 10_000 }) ?? 10,
    sort: sort === 'state.startDate:asc' || sort === 'startDate:asc' ? 'startDate:asc' : 'startDate:desc',
  };
}

/** Deletes an execution document, and by default its logs and its files in internal storage. */
export async function deleteExecution(deps: ApiDeps, e: Execution, options: { logs: boolean; storage: boolean }): Promise<void> {
  if (options.logs) await deps.ports.logs.deleteByExecution(e.tenantId, e.id);
  if (options.storage) await deps.ports.storage.deletePrefix(executionStoragePrefix(e).slice(0, -1));
  await deps.ports.executions.delete(e.tenantId, e.id);
}

/** Polls until the execution reaches a terminal state (the API's `wait=true`). */
export async function waitForTerminal(deps: ApiDeps, tenantId: string, id: string, limitMs = WAIT_LIMIT_MS): Promise<Execution> {
  const start = Date.now();
  let delay = 2;
  while (true) {
    const e = await deps.ports.executions.get(tenantId, id);
    if (!e) throw new ExecutionNotFoundError(id);
    if (isTerminated(e.state.current) || Date.now() - start > limitMs) return e;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(50, delay * 2);
  }
}

/**
 * Kestra's ApiValidateExecutionInputsResponse: every input with its value
 * (SECRET masked) or its errors; nothing is stored.
 */
async function inputsReport(
  id: string,
  namespace: string,
  definitions: readonly InputDefinition[],
  provided: Readonly<Record<string, unknown>>,
  options: Parameters<typeof resolveInputs>[2],
): Promise<Record<string, unknown>> {
  const violations = new Map<string, string[]>();
  let values: Record<string, unknown> = {};
  try {
    values = await resolveInputs(definitions, provided, options);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    // Some input is invalid: resolve each one alone, so the valid ones still show their value.
    for (const def of definitions) {
      try {
        Object.assign(values, await resolveInputs([def], provided, options));
      } catch (inner) {
        if (!(inner instanceof ValidationError)) throw inner;
        const key = inputId(def);
        violations.set(key, [...(violations.get(key) ?? []), ...inner.violations.map((v) => v.message)]);
      }
    }
  }
  return {
    id,
    namespace,
    inputs: definitions.map((def) => {
      const key = inputId(def);
      return {
        input: def,
        value: def.type === 'SECRET' && values[key] != null ? SECRET_MASK : (values[key] ?? null),
        enabled: true,
        isDefault: provided[key] === undefined && def.defaults !== undefined,
        errors: (violations.get(key) ?? []).map((message) => ({ message })),
      };
    }),
    checks: [],
  };
}

export function executionRoutes(deps: ApiDeps): Route[] {
  const load = async (tenantId: string, id: string): Promise<Execution> => {
    const e = await deps.ports.executions.get(tenantId, id);
    if (!e || e.deleted) throw new ExecutionNotFoundError(id);
    return e;
  };
  const flowOf = async (e: Execution): Promise<Flow | undefined> => (await deps.ports.flows.get(e.tenantId, e.namespace, e.flowId, e.flowRevision))?.flow;
  const present = async (e: Execution): Promise<Record<string, unknown>> => executionJson(e, await flowOf(e));
  const ended = (e: Execution) => isTerminated(e.state.current) && e.engine?.terminated !== false;

  /** The events of /follow: a comment first (Kestra's keepalive), then progress on every change, then end. */
  async function* follow(first: Execution): AsyncGenerator<string> {
    yield ':\n\nretry: 500\n\n';
    if (ended(first)) {
      yield `id: end\nevent: end\ndata: ${JSON.stringify(await present(first))}\n\n`;
      return;
    }
    const deadline = Date.now() + FOLLOW_LIMIT_MS;
    let e: Execution | undefined = first;
    let last = '';
    let delay = 10;
    while (e && !e.deleted) {
      const data = JSON.stringify(await present(e));
      if (data !== last) {
        yield `id: progress\nevent: progress\ndata: ${data}\n\n`;
        last = data;
        delay = 10;
      }
      if (ended(e)) {
        yield `id: end\nevent: end\ndata: ${data}\n\n`;
        return;
      }
      if (Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 250);
      e = await deps.ports.executions.get(first.tenantId, first.id);
    }
  }

  const create = async ({ request, params }: { request: ApiRequest; params: Readonly<Record<string, string>> }): Promise<ApiResponse> => {
    const tenantId = params['tenant'];
    const { inputs, files } = formInputs(request);
    const revision = queryInt(request, 'revision', { min: 1 });
    const scheduleDate = queryOne(request, 'scheduleDate');
    let execution = await deps.executions.create({
      tenantId,
      namespace: params['namespace'],
      flowId: params['id'],
      ...(revision !== undefined ? { revision } : {}),
      inputs,
      files,
      labels: parseLabels(queryAll(request, 'labels')),
      ...(scheduleDate ? { scheduleDate: parseIso(scheduleDate, 'scheduleDate') } : {}),
    });
    if (queryBool(request, 'wait', false)) {
      execution = deps.executions.waitForTerminal
        ? await deps.executions.waitForTerminal(tenantId, execution.id, WAIT_LIMIT_MS)
        : await waitForTerminal(deps, tenantId, execution.id);
    }
    return json(200, { ...(await present(execution)), url: executionUrl(deps.baseUrl, execution) });
  };

  /** Kestra 1.x paths and the newer `/{id}/actions/{action}` ones. */
  const action = (method: Route['method'], name: string, handle: Route['handle']): Route[] => [
    { method, path: `${BASE}/:executionId/${name}`, handle },
    { method, path: `${BASE}/:executionId/actions/${name}`, handle },
  ];

  const fileUri = async (tenantId: string, id: string, req: ApiRequest): Promise<string> => {
    const e = await load(tenantId, id);
    const path = queryOne(req, 'path');
    if (!path) throw new BadRequestError("missing query parameter 'path'");
    const uri = path.startsWith('kestra://') ? path : `kestra://${path.startsWith('/') ? '' : '/'}${path}`;
    // Only files of this execution are served: a path elsewhere is reported as absent.
    if (!uri.startsWith(executionStoragePrefix(e)) || uri.split('/').some((s) => s === '..' || s === '.')) throw new NotFoundError('File', path);
    return uri;
  };

  return [
    { method: 'POST', path: `${BASE}/:namespace/:id`, handle: create },
    {
      // Dry-run of the inputs (Kestra's ApiValidateExecutionInputsResponse): nothing is stored.
      method: 'POST',
      path: `${BASE}/:namespace/:id/validate`,
      handle: async ({ request, params }) => {
        const tenantId = params['tenant'];
        const revision = queryInt(request, 'revision', { min: 1 });
        const flow = await deps.ports.flows.get(tenantId, params['namespace'], params['id'], revision);
        if (!flow || flow.deleted) throw new FlowNotFoundError(params['namespace'], params['id'], revision);
        const { inputs, files } = formInputs(request);
        const provided: Record<string, unknown> = { ...inputs };
        for (const f of files) provided[f.inputId] = `${executionStoragePrefix({ namespace: flow.flow.namespace, flowId: flow.flow.id, id: 'validate' })}inputs/${f.inputId}/${f.fileName}`;
        const scope = { tenantId, namespace: flow.flow.namespace, flowId: flow.flow.id };
        return json(
          200,
          await inputsReport(flow.flow.id, flow.flow.namespace, flow.flow.inputs ?? [], provided, {
            renderer: engineRenderer(deps.ports, scope),
            variables: { flow: { id: flow.flow.id, namespace: flow.flow.namespace, revision: flow.revision, tenantId } },
          }),
        );
      },
    },
    { method: 'POST', path: `${BASE}/trigger/:namespace/:id`, handle: create },
    {
      method: 'GET',
      path: `${BASE}/search`,
      handle: async ({ request, params }) => {
        const page = await deps.ports.executions.find(params['tenant'], executionQuery(request, deps.ports.clock.now()));
        return json(200, { results: await Promise.all(page.results.map(present)), total: page.total });
      },
    },
    {
      method: 'GET',
      path: BASE,
      handle: async ({ request, params }) => {
        const namespace = queryOne(request, 'namespace');
        const flowId = queryOne(request, 'flowId');
        if (!namespace || !flowId) throw new BadRequestError("query parameters 'namespace' and 'flowId' are required");
        const page = await deps.ports.executions.find(params['tenant'], {
          namespace,
          flowId,
          page: queryInt(request, 'page', { min: 1 }) ?? 1,
          size: queryInt(request, 'size', { min: 1, max: 10_000 }) ?? 10,
        });
        return json(200, { results: await Promise.all(page.results.map(present)), total: page.total });
      },
    },
    {
      method: 'GET',
      path: `${BASE}/:executionId`,
      handle: async ({ params }) => json(200, await present(await load(params['tenant'], params['executionId']))),
    },
    {
      method: 'DELETE',
      path: `${BASE}/:executionId`,
      handle: async ({ request, params }) => {
        const tenantId = params['tenant'];
        const e = await load(tenantId, params['executionId']);
        if (!isTerminated(e.state.current)) throw new IllegalStateError(`Execution '${e.id}' is ${e.state.current}; kill it before deleting it`);
        await deleteExecution(deps, e, { logs: queryBool(request, 'deleteLogs', true), storage: queryBool(request, 'deleteStorage', true) });
        return noContent();
      },
    },
    {
      // Kestra's follow: server-sent events `progress` with the execution each time it changes, then
      // `end` once it has terminated (just `end` for one already terminated). The local edition
      // streams them; on API Gateway the answer holds what happened within 25 s and `retry` makes
      // EventSource reconnect.
      method: 'GET',
      path: `${BASE}/:executionId/follow`,
      handle: async ({ params }) => {
        const first = await load(params['tenant'], params['executionId']);
        return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, stream: follow(first) };
      },
    },
    {
      method: 'GET',
      path: `${BASE}/:executionId/flow`,
      handle: async ({ params }) => {
        const e = await load(params['tenant'], params['executionId']);
        const f = await deps.ports.flows.get(e.tenantId, e.namespace, e.flowId, e.flowRevision);
        if (!f) throw new NotFoundError('Flow', `${e.namespace}.${e.flowId}`);
        return json(200, { ...f.flow, revision: f.revision });
      },
    },
    {
      // The execution's flow revision drawn with its task runs (one node per loop iteration).
      method: 'GET',
      path: `${BASE}/:executionId/graph`,
      handle: async ({ request, params }) => {
        const e = await load(params['tenant'], params['executionId']);
        const f = await deps.ports.flows.get(e.tenantId, e.namespace, e.flowId, e.flowRevision);
        if (!f) throw new FlowNotFoundError(e.namespace, e.flowId, e.flowRevision);
        return json(200, await resolvedFlowGraph(deps, e.tenantId, f.flow, { execution: e, expand: subflowsParam(request) }));
      },
    },
    {
      method: 'GET',
      path: `${BASE}/:executionId/file`,
      handle: async ({ request, params }) => {
        const uri = await fileUri(params['tenant'], params['executionId'], request);
        const data = await deps.ports.storage.get(uri);
        const name = uri.slice(uri.lastIndexOf('/') + 1).replace(/["\r\n]/g, '_');
        return { status: 200, headers: { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${name}"` }, body: data };
      },
    },
    {
      // Kestra's FileRender: rows of Ion files, lines of text, base64 of images (maxRows: 100 by default, at most 5000).
      method: 'GET',
      path: `${BASE}/:executionId/file/preview`,
      handle: async ({ request, params }) => {
        const uri = await fileUri(params['tenant'], params['executionId'], request);
        const maxRows = Math.min(queryInt(request, 'maxRows', { min: 1 }) ?? 100, 5000);
        return json(200, filePreview(uri, await deps.ports.storage.get(uri), maxRows, queryOne(request, 'encoding') ?? 'UTF-8'));
      },
    },
    {
      method: 'GET',
      path: `${BASE}/:executionId/file/metas`,
      handle: async ({ request, params }) => json(200, { size: await deps.ports.storage.size(await fileUri(params['tenant'], params['executionId'], request)) }),
    },
    ...action('DELETE', 'kill', async ({ request, params }) => {
      await load(params['tenant'], params['executionId']);
      await deps.executions.kill(params['tenant'], params['executionId'], { cascade: queryBool(request, 'isOnKillCascade', true) });
      return { status: 202 };
    }),
    ...action('POST', 'kill', async ({ request, params }) => {
      await load(params['tenant'], params['executionId']);
      await deps.executions.kill(params['tenant'], params['executionId'], { cascade: queryBool(request, 'isOnKillCascade', true) });
      return { status: 202 };
    }),
    ...action('POST', 'resume', async ({ request, params }) => {
      await load(params['tenant'], params['executionId']);
      const { inputs, files } = formInputs(request);
      await deps.executions.resume(params['tenant'], params['executionId'], inputs, files);
      return noContent();
    }),
    ...action('POST', 'resume/validate', async ({ request, params }) => {
      // The onResume inputs of the paused Pause tasks, checked without resuming (409 when not PAUSED).
      const e = await load(params['tenant'], params['executionId']);
      if (e.state.current !== 'PAUSED') throw new IllegalStateError(`Execution '${e.id}' is ${e.state.current}, not PAUSED`);
      const f = await flowOf(e);
      if (!f) throw new FlowNotFoundError(e.namespace, e.flowId, e.flowRevision);
      const index = new FlowIndex(f);
      const definitions = e.taskRunList
        .filter((r) => r.state.current === 'PAUSED')
        .flatMap((r) => {
          const onResume = index.get(r.taskId)?.task['onResume'];
          return Array.isArray(onResume) ? (onResume as InputDefinition[]) : [];
        });
      const { inputs, files } = formInputs(request);
      const provided: Record<string, unknown> = { ...inputs };
      for (const file of files) provided[file.inputId] = `${executionStoragePrefix(e)}resume/${file.inputId}/${file.fileName}`;
      const scope = { tenantId: e.tenantId, namespace: e.namespace, flowId: e.flowId, executionId: e.id };
      return json(200, await inputsReport(e.flowId, e.namespace, definitions, provided, { renderer: engineRenderer(deps.ports, scope) }));
    }),
    ...action('POST', 'restart', async ({ request, params }) => {
      await load(params['tenant'], params['executionId']);
      const revision = queryInt(request, 'revision', { min: 1 });
      return json(200, await present(await deps.executions.restart(params['tenant'], params['executionId'], revision !== undefined ? { revision } : {})));
    }),
    ...action('POST', 'replay', async ({ request, params }) => {
      await load(params['tenant'], params['executionId']);
      const revision = queryInt(request, 'revision', { min: 1 });
      const taskRunId = queryOne(request, 'taskRunId');
      const e = await deps.executions.replay(params['tenant'], params['executionId'], {
        ...(revision !== undefined ? { revision } : {}),
        ...(taskRunId ? { taskRunId } : {}),
      });
      return json(200, await present(e));
    }),
    ...action('POST', 'replay-with-inputs', async ({ request, params }) => {
      await load(params['tenant'], params['executionId']);
      const revision = queryInt(request, 'revision', { min: 1 });
      const taskRunId = queryOne(request, 'taskRunId');
      const { inputs, files } = formInputs(request);
      const e = await deps.executions.replayWithInputs(params['tenant'], params['executionId'], inputs, files, {
        ...(revision !== undefined ? { revision } : {}),
        ...(taskRunId ? { taskRunId } : {}),
      });
      return json(200, await present(e));
    }),
    ...action('POST', 'labels', async ({ request, params }) => {
      await load(params['tenant'], params['executionId']);
      const body = bodyJson(request);
      if (!Array.isArray(body) || body.some((l) => typeof l?.key !== 'string' || typeof l?.value !== 'string')) {
        throw new BadRequestError('expected a JSON array of {key, value} labels');
      }
      return json(200, await present(await deps.executions.setLabels(params['tenant'], params['executionId'], body as Label[])));
    }),
    ...action('POST', 'change-status', async ({ request, params }) => {
      const status = queryOne(request, 'status');
      if (!status) throw new BadRequestError("missing query parameter 'status'");
      await load(params['tenant'], params['executionId']);
      return json(200, await present(await deps.executions.changeStatus(params['tenant'], params['executionId'], asStates([status])[0])));
    }),
    ...action('POST', 'unqueue', async ({ request, params }) => {
      // Kestra 1.x names the target `state`; its bulk by-query variant says `newState`.
      const state = queryOne(request, 'state') ?? queryOne(request, 'newState');
      await load(params['tenant'], params['executionId']);
      return json(200, await present(await deps.executions.unqueue(params['tenant'], params['executionId'], state ? asStates([state])[0] : undefined)));
    }),
    ...action('POST', 'state', async ({ request, params }) => {
      const body = bodyJson(request) as { taskRunId?: unknown; state?: unknown } | null;
      if (typeof body?.taskRunId !== 'string' || typeof body?.state !== 'string') throw new BadRequestError('expected a JSON body {taskRunId, state}');
      await load(params['tenant'], params['executionId']);
      return json(200, await present(await deps.executions.setTaskRunState(params['tenant'], params['executionId'], body.taskRunId, asStates([body.state])[0])));
    }),
    ...action('POST', 'pause', async ({ params }) => {
      await load(params['tenant'], params['executionId']);
      await deps.executions.pause(params['tenant'], params['executionId']);
      return noContent();
    }),
    ...action('POST', 'force-run', async ({ params }) => {
      await load(params['tenant'], params['executionId']);
      return json(200, await present(await deps.executions.forceRun(params['tenant'], params['executionId'])));
    }),
  ];
}
