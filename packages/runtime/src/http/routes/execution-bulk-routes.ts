import type { Execution, Label, StateType } from '@windhover/core';
import { BadRequestError, STATE_TYPES, UNQUEUE_STATES, ValidationError, isTerminated } from '@windhover/core';
import type { ApiDeps } from '../api-deps';
import type { ApiRequest, Route } from '../http-types';
import { bodyJson, json, queryBool, queryOne } from '../request';
import { deleteExecution, executionQuery } from './execution-routes';

const BASE = '/api/v1/:tenant/executions';
const MAX_BULK = 10_000;

/** A state named in a query parameter: 400 when absent (if required) or unknown. */
function stateParam(req: ApiRequest, name: string, required: boolean): StateType | undefined {
  const v = queryOne(req, name);
  if (v === undefined) {
    if (required) throw new BadRequestError(`missing query parameter '${name}'`);
    return undefined;
  }
  const up = v.trim().toUpperCase();
  if (!(STATE_TYPES as readonly string[]).includes(up)) throw new BadRequestError(`unknown state '${v}'`);
  return up as StateType;
}

function idList(body: unknown): string[] {
  if (!Array.isArray(body) || body.some((x) => typeof x !== 'string')) throw new BadRequestError('expected a JSON array of execution ids');
  if (body.length > MAX_BULK) throw new BadRequestError(`at most ${MAX_BULK} executions per request`);
  return body as string[];
}

/**
 * A bulk action checks every execution first and changes nothing when one
 * is not eligible: 422 with Kestra's `BulkErrorResponse{message, invalids}`.
 */
async function bulk(
  executions: readonly Execution[],
  missing: readonly string[],
  eligible: (e: Execution) => string | undefined,
  apply: (e: Execution) => Promise<unknown>,
) {
  const invalids = [
    ...missing.map((id) => ({ invalidValue: id, message: `execution '${id}' not found` })),
    ...executions.flatMap((e) => {
      const why = eligible(e);
      return why ? [{ invalidValue: e.id, message: why }] : [];
    }),
  ];
  if (invalids.length > 0) {
    throw new ValidationError(
      'invalid bulk operation',
      invalids.map((i) => ({ message: `${i.invalidValue}: ${i.message}` })),
    );
  }
  for (const e of executions) await apply(e);
  return json(200, { count: executions.length });
}

export function executionBulkRoutes(deps: ApiDeps): Route[] {
  const byIds = async (tenantId: string, req: ApiRequest) => {
    const ids = idList(bodyJson(req));
    const found: Execution[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const e = await deps.ports.executions.get(tenantId, id);
      if (e) found.push(e);
      else missing.push(id);
    }
    return { found, missing };
  };
  const byQuery = async (tenantId: string, req: ApiRequest) => {
    const query = executionQuery(req, deps.ports.clock.now());
    const found: Execution[] = [];
    for (let page = 1; ; page++) {
      const r = await deps.ports.executions.find(tenantId, { ...query, page, size: 500 });
      found.push(...r.results);
      if (r.results.length < 500 || found.length >= MAX_BULK) break;
    }
    return { found, missing: [] as string[] };
  };

  const kill = (e: Execution) => (isTerminated(e.state.current) ? `execution is already ${e.state.current}` : undefined);
  const del = (req: ApiRequest) => (e: Execution) =>
    !queryBool(req, 'includeNonTerminated', false) && !isTerminated(e.state.current) ? `execution is ${e.state.current}, not terminated` : undefined;
  const restart = (e: Execution) => (['FAILED', 'KILLED', 'PAUSED'].includes(e.state.current) ? undefined : `execution is ${e.state.current}, not FAILED, KILLED or PAUSED`);
  const resume = (e: Execution) => (e.state.current === 'PAUSED' ? undefined : `execution is ${e.state.current}, not PAUSED`);
  const replay = (e: Execution) => (isTerminated(e.state.current) ? undefined : `execution is still ${e.state.current}`);
  const changeStatus = (req: ApiRequest) => {
    const target = stateParam(req, 'newStatus', true)!;
    if (!isTerminated(target)) throw new ValidationError('You can only change the state of an execution to a terminal state.', [{ path: 'newStatus', message: `${target} is not a terminal state` }]);
    return (e: Execution) => (isTerminated(e.state.current) ? undefined : `execution is ${e.state.current}, not terminated`);
  };
  /** by-query filters on `state`, so its target is `newState`; by-ids takes `state` (Kestra's names). */
  const unqueueTarget = (req: ApiRequest, suffix: string): StateType | undefined => {
    const target = stateParam(req, 'newState', false) ?? (suffix === 'by-ids' ? stateParam(req, 'state', false) : undefined);
    if (target && !UNQUEUE_STATES.includes(target)) {
      throw new ValidationError(`Invalid target state: ${target}. Valid states are: [RUNNING, CANCELLED, FAILED]`, [{ path: 'state', message: `${target} is not RUNNING, CANCELLED or FAILED` }]);
    }
    return target;
  };
  const queued = (e: Execution) => (e.state.current === 'QUEUED' ? undefined : `execution is ${e.state.current}, not QUEUED`);
  const running = (e: Execution) => (e.state.current === 'RUNNING' ? undefined : `execution is ${e.state.current}, not RUNNING`);
  const forceRun = (e: Execution) => (isTerminated(e.state.current) ? `execution is already ${e.state.current}` : undefined);

  const routes: Route[] = [];
  for (const [suffix, select] of [
    ['by-ids', byIds],
    ['by-query', byQuery],
  ] as const) {
    const bulkRoute = (method: Route['method'], path: string, eligible: (req: ApiRequest) => (e: Execution) => string | undefined, apply: (req: ApiRequest, e: Execution) => Promise<unknown>): Route => ({
      method,
      path: `${BASE}${path}/${suffix}`,
      handle: async ({ request, params }) => {
        const { found, missing } = await select(params['tenant'], request);
        return bulk(found, missing, eligible(request), (e) => apply(request, e));
      },
    });
    routes.push(
      bulkRoute('DELETE', '', del, (req, e) => {
        const options = { logs: queryBool(req, 'deleteLogs', true), storage: queryBool(req, 'deleteStorage', true) };
        return isTerminated(e.state.current) ? deleteExecution(deps, e, options) : deps.executions.kill(e.tenantId, e.id).then(() => deleteExecution(deps, e, options));
      }),
      bulkRoute('DELETE', '/kill', () => kill, (_req, e) => deps.executions.kill(e.tenantId, e.id, { cascade: true })),
      bulkRoute('POST', '/restart', () => restart, (_req, e) => deps.executions.restart(e.tenantId, e.id)),
      bulkRoute('POST', '/resume', () => resume, (_req, e) => deps.executions.resume(e.tenantId, e.id, {})),
      bulkRoute('POST', '/replay', () => replay, (req, e) => deps.executions.replay(e.tenantId, e.id, queryBool(req, 'latestRevision', false) ? {} : { revision: e.flowRevision })),
      // Bulk state commands are sent without waiting for each execution's executor step.
      bulkRoute('POST', '/change-status', changeStatus, (req, e) => deps.executions.changeStatus(e.tenantId, e.id, stateParam(req, 'newStatus', true)!, { wait: false })),
      bulkRoute(
        'POST',
        '/unqueue',
        (req) => {
          unqueueTarget(req, suffix);
          return queued;
        },
        (req, e) => deps.executions.unqueue(e.tenantId, e.id, unqueueTarget(req, suffix), { wait: false }),
      ),
      bulkRoute('POST', '/force-run', () => forceRun, (_req, e) => deps.executions.forceRun(e.tenantId, e.id, { wait: false })),
      bulkRoute('POST', '/pause', () => running, (_req, e) => deps.executions.pause(e.tenantId, e.id, { wait: false })),
    );
  }
  /** Adds labels to an execution's own; setLabels keeps its system labels (which it refuses to be given). */
  const mergeLabels = (e: Execution, labels: readonly Label[]) => {
    const merged = new Map<string, string>(e.labels.filter((l) => !l.key.startsWith('system.')).map((l) => [l.key, l.value]));
    for (const l of labels) merged.set(l.key, l.value);
    return deps.executions.setLabels(e.tenantId, e.id, [...merged].map(([key, value]) => ({ key, value })));
  };
  routes.push({
    // Kestra: the labels to add are the body, the executions the query's filters.
    method: 'POST',
    path: `${BASE}/labels/by-query`,
    handle: async ({ request, params }) => {
      const labels = bodyJson(request);
      if (!Array.isArray(labels) || labels.some((l) => typeof l?.key !== 'string' || typeof l?.value !== 'string')) {
        throw new BadRequestError('expected a JSON array of {key, value} labels');
      }
      const { found, missing } = await byQuery(params['tenant'], request);
      return bulk(found, missing, () => undefined, (e) => mergeLabels(e, labels as Label[]));
    },
  });
  routes.push({
    method: 'POST',
    path: `${BASE}/labels/by-ids`,
    handle: async ({ request, params }) => {
      const body = bodyJson(request) as { executionsId?: unknown; executionLabels?: unknown };
      const ids = idList(body?.executionsId);
      const labels = body?.executionLabels;
      if (!Array.isArray(labels) || labels.some((l) => typeof l?.key !== 'string' || typeof l?.value !== 'string')) {
        throw new BadRequestError('executionLabels must be a list of {key, value}');
      }
      const found: Execution[] = [];
      const missing: string[] = [];
      for (const id of ids) {
        const e = await deps.ports.executions.get(params['tenant'], id);
        if (e) found.push(e);
        else missing.push(id);
      }
      return bulk(found, missing, () => undefined, (e) => mergeLabels(e, labels as Label[]));
    },
  });
  return routes;
}
