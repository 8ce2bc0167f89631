import type { FlowWithSource } from '@windhover/core';
import { BadRequestError, NotFoundError, ValidationError } from '@windhover/core';
import { assertFlowWritable, assertFlowsWritable } from '../../gitops/read-only-guard';
import { replaceNamespace } from '../../services/flow-service';
import type { ApiDeps } from '../api-deps';
import type { Route } from '../http-types';
import { bodyForm, bodyJson, bodyText, bodyYaml, json, noContent, queryAll, queryBool, queryFilters, queryInt, queryOne } from '../request';
import { createZip, isZip, readZip } from '../zip';
import { flowJson, labelList } from './flow-json';

const BASE = '/api/v1/:tenant/flows';

interface FlowFilter {
  readonly namespace?: { op: string; values: readonly string[] };
  readonly query?: string;
  readonly flowId?: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Kestra 1.x `filters[...]` and the legacy `q`, `namespace`, `labels` parameters of flow search and export. */
function flowFilter(req: Parameters<typeof queryOne>[0]): FlowFilter {
  let namespace: FlowFilter['namespace'];
  let query = queryOne(req, 'q');
  let flowId: string | undefined;
  const labels: Record<string, string> = {};
  const legacyNs = queryOne(req, 'namespace');
  if (legacyNs) namespace = { op: 'PREFIX', values: [legacyNs] };
  for (const l of queryAll(req, 'labels')) {
    const i = l.indexOf(':');
    if (i <= 0) throw new BadRequestError(`invalid label '${l}', expected key:value`);
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  for (const f of queryFilters(req)) {
    if (f.field === 'NAMESPACE') namespace = { op: f.operation, values: f.values };
    else if (f.field === 'QUERY') query = f.values[0];
    else if (f.field === 'FLOW_ID') flowId = f.values[0];
    else if (f.field === 'LABELS' && f.key) labels[f.key] = f.values[0] ?? '';
    else if (f.field === 'LABELS') {
      for (const v of f.values) {
        const i = v.indexOf(':');
        if (i > 0) labels[v.slice(0, i)] = v.slice(i + 1);
      }
    } else if (f.field !== 'SCOPE') throw new BadRequestError(`unsupported flow filter '${f.field}'`);
  }
  return { ...(namespace ? { namespace } : {}), ...(query ? { query } : {}), ...(flowId ? { flowId } : {}), labels };
}

function matchesNamespace(ns: string, filter: FlowFilter['namespace']): boolean {
  if (!filter) return true;
  const v = filter.values[0] ?? '';
  switch (filter.op) {
    case 'EQUALS':
      return ns === v;
    case 'NOT_EQUALS':
      return ns !== v;
    case 'IN':
      return filter.values.includes(ns);
    case 'NOT_IN':
      return !filter.values.includes(ns);
    case 'CONTAINS':
      return ns.includes(v);
    case 'STARTS_WITH':
      return ns.startsWith(v);
    case 'ENDS_WITH':
      return ns.endsWith(v);
    case 'PREFIX':
      return ns === v || ns.startsWith(`${v}.`);
    case 'REGEX':
      try {
        return new RegExp(v).test(ns);
      } catch {
        throw new BadRequestError(`invalid regular expression '${v}'`);
      }
    default:
      throw new BadRequestError(`unsupported namespace filter operation '${filter.op}'`);
  }
}

function applyFilter(flows: readonly FlowWithSource[], f: FlowFilter): FlowWithSource[] {
  return flows.filter((x) => {
    const { namespace, id } = x.flow;
    if (!matchesNamespace(namespace, f.namespace)) return false;
    if (f.flowId && id !== f.flowId) return false;
    if (f.query && !`${namespace}.${id}`.toLowerCase().includes(f.query.toLowerCase())) return false;
    const labels = labelList(x.flow.labels);
    return Object.entries(f.labels).every(([k, v]) => labels.some((l) => l.key === k && l.value === v));
  });
}

function sortFlows(flows: FlowWithSource[], sorts: readonly string[]): FlowWithSource[] {
  const keys = sorts.length > 0 ? sorts : ['namespace:asc', 'id:asc'];
  return flows.sort((a, b) => {
    for (const s of keys) {
      const [field, dir] = s.split(':');
      const pick = (f: FlowWithSource): string => (field === 'namespace' ? f.flow.namespace : field === 'id' ? f.flow.id : field === 'revision' ? String(f.revision).padStart(10, '0') : `${f.flow.namespace}.${f.flow.id}`);
      const c = pick(a).localeCompare(pick(b));
      if (c !== 0) return dir === 'desc' ? -c : c;
    }
    return 0;
  });
}

/** A multi-document YAML body, parsed and validated completely before anything is written. */
function parseAll(deps: ApiDeps, source: string): { source: string; namespace: string; id: string }[] {
  const docs = deps.flows.splitDocuments(source).filter((d) => d.trim() !== '');
  const violations: { message: string; path?: string }[] = [];
  const out: { source: string; namespace: string; id: string }[] = [];
  for (const [i, doc] of docs.entries()) {
    try {
      const f = deps.flows.parse(doc);
      out.push({ source: doc, namespace: f.namespace, id: f.id });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      for (const v of e.violations) violations.push({ message: `[flow ${i}] ${v.message}`, ...(v.path ? { path: v.path } : {}) });
    }
  }
  if (violations.length > 0) throw new ValidationError('Invalid flows', violations);
  const seen = new Set<string>();
  for (const f of out) {
    const key = `${f.namespace}.${f.id}`;
    if (seen.has(key)) throw new ValidationError('Invalid flows', [{ message: `Duplicate flow id '${key}'`, path: 'id' }]);
    seen.add(key);
  }
  return out;
}

/** Applies a validated set of flows, then deletes those in `scope` that the set does not contain. */
async function applyBulk(
  deps: ApiDeps,
  tenantId: string,
  flows: readonly { source: string; namespace: string; id: string }[],
  deleteScope: readonly FlowWithSource[] | undefined,
): Promise<Record<string, unknown>[]> {
  const keep = new Set(flows.map((f) => `${f.namespace}.${f.id}`));
  const deleting = (deleteScope ?? []).filter((f) => !keep.has(`${f.flow.namespace}.${f.flow.id}`)).map((f) => ({ namespace: f.flow.namespace, id: f.flow.id }));
  // One change: subflow cycles are looked for over the whole set before anything is deleted or saved.
  const { saved, deleted } = await deps.flows.saveAll(tenantId, { sources: flows.map((f) => f.source), deleting });
  return [...deleted.map((f) => flowJson(f, false)), ...saved.map((s) => flowJson(s.flow, true))];
}

const zipResponse = (data: Uint8Array): { status: number; headers: Record<string, string>; body: Uint8Array } => ({
  status: 200,
  headers: { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="flows.zip"' },
  body: data,
});

const exportZip = (flows: readonly FlowWithSource[]) =>
  createZip(flows.map((f) => ({ name: `${f.flow.namespace}.${f.flow.id}.yml`, data: new TextEncoder().encode(f.source) })));

/** Kestra's flow API: CRUD from YAML, revisions, search, validation, bulk, import and export. */
export const flowRoutes = (deps: ApiDeps): Route[] => [
  {
    method: 'POST',
    path: BASE,
    handle: async ({ request, params }) => json(200, flowJson(await deps.flows.create(params['tenant'], bodyYaml(request)), true)),
  },
  {
    method: 'GET',
    path: `${BASE}/search`,
    handle: async ({ request, params }) => {
      const page = queryInt(request, 'page', { min: 1 }) ?? 1;
      const size = queryInt(request, 'size', { min: 1, max: 10_000 }) ?? 10;
      const all = sortFlows(applyFilter(await deps.flows.list(params['tenant']), flowFilter(request)), queryAll(request, 'sort'));
      return json(200, { results: all.slice((page - 1) * size, page * size).map((f) => flowJson(f, false)), total: all.length });
    },
  },
  {
    method: 'GET',
    path: `${BASE}/distinct-namespaces`,
    handle: async ({ request, params }) => {
      const q = queryOne(request, 'q')?.toLowerCase();
      const namespaces = [...new Set((await deps.flows.list(params['tenant'])).map((f) => f.flow.namespace))].sort();
      return json(200, q ? namespaces.filter((n) => n.toLowerCase().includes(q)) : namespaces);
    },
  },
  {
    method: 'POST',
    path: `${BASE}/validate`,
    handle: async ({ request, params }) => json(200, await deps.flows.validateMany(params['tenant'], bodyText(request))),
  },
  {
    method: 'POST',
    path: `${BASE}/bulk`,
    handle: async ({ request, params }) => {
      const tenantId = params['tenant'];
      const namespace = queryOne(request, 'namespace');
      const allowChild = queryBool(request, 'allowNamespaceChild', false);
      const flows = parseAll(deps, bodyYaml(request));
      if (namespace) {
        const bad = flows.filter((f) => f.namespace !== namespace && !(allowChild && f.namespace.startsWith(`${namespace}.`)));
        if (bad.length > 0) throw new ValidationError('Invalid flows', bad.map((f) => ({ message: `flow namespace is invalid: '${f.namespace}' is not '${namespace}'`, path: 'namespace' })));
      }
      const scope = queryBool(request, 'delete', true)
        ? await deps.flows.list(tenantId, namespace ? (allowChild ? { namespacePrefix: namespace } : { namespace }) : {})
        : undefined;
      await assertFlowsWritable((ns, id) => deps.flows.find(tenantId, ns, id), request, flows, scope);
      return json(200, await applyBulk(deps, tenantId, flows, scope));
    },
  },
  {
    method: 'POST',
    path: `${BASE}/import`,
    handle: async ({ request, params }) => {
      const tenantId = params['tenant'];
      const failOnError = queryBool(request, 'failOnError', false);
      const form = bodyForm(request);
      const upload = form.files.find((f) => f.name === 'fileUpload') ?? form.files[0];
      if (!upload) throw new BadRequestError("missing multipart file part 'fileUpload'");
      const sources = isZip(upload.data)
        ? readZip(upload.data)
            .filter((e) => /\.ya?ml$/i.test(e.name))
            .map((e) => ({ name: e.name, source: new TextDecoder().decode(e.data) }))
        : deps.flows.splitDocuments(new TextDecoder().decode(upload.data)).map((source, i) => ({ name: String(i), source }));
      const failed: string[] = [];
      const valid: string[] = [];
      for (const s of sources) {
        if (deps.flows.splitDocuments(s.source).length === 0) continue;
        try {
          deps.flows.parse(s.source);
          valid.push(s.source);
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
          if (failOnError) throw new ValidationError(`Invalid flow '${s.name}'`, e.violations);
          failed.push(s.name);
        }
      }
      const parsed = valid.map((source) => ({ ...deps.flows.parse(source), source }));
      await assertFlowsWritable((ns, id) => deps.flows.find(tenantId, ns, id), request, parsed);
      await deps.flows.saveAll(tenantId, { sources: valid });
      return json(200, failed);
    },
  },
  {
    method: 'GET',
    path: `${BASE}/export/by-query`,
    handle: async ({ request, params }) => zipResponse(exportZip(applyFilter(await deps.flows.list(params['tenant']), flowFilter(request)))),
  },
  {
    method: 'POST',
    path: `${BASE}/export/by-ids`,
    handle: async ({ request, params }) => {
      const flows: FlowWithSource[] = [];
      for (const { namespace, id } of idsWithNamespace(bodyJson(request))) {
        const f = await deps.flows.find(params['tenant'], namespace, id);
        if (f) flows.push(f);
      }
      return zipResponse(exportZip(flows));
    },
  },
  {
    method: 'DELETE',
    path: `${BASE}/delete/by-ids`,
    handle: async ({ request, params }) => {
      const ids = idsWithNamespace(bodyJson(request));
      let count = 0;
      for (const { namespace, id } of ids) assertFlowWritable(await deps.flows.find(params['tenant'], namespace, id), request, { action: 'delete' });
      for (const { namespace, id } of ids) {
        if (await deps.flows.find(params['tenant'], namespace, id)) {
          await deps.flows.delete(params['tenant'], namespace, id);
          count++;
        }
      }
      return json(200, { count });
    },
  },
  {
    method: 'DELETE',
    path: `${BASE}/delete/by-query`,
    handle: async ({ request, params }) => {
      const filter = flowFilter(request);
      if (!filter.namespace && !filter.query && !filter.flowId && Object.keys(filter.labels).length === 0) {
        throw new BadRequestError('refusing to delete every flow: give at least one filter');
      }
      const flows = applyFilter(await deps.flows.list(params['tenant']), filter);
      for (const f of flows) assertFlowWritable(f, request, { action: 'delete' });
      for (const f of flows) await deps.flows.delete(params['tenant'], f.flow.namespace, f.flow.id);
      return json(200, { count: flows.length });
    },
  },
  {
    method: 'GET',
    path: `${BASE}/:namespace`,
    handle: async ({ params }) => json(200, (await deps.flows.list(params['tenant'], { namespace: params['namespace'] })).map((f) => flowJson(f, false))),
  },
  {
    method: 'POST',
    path: `${BASE}/:namespace`,
    handle: async ({ request, params }) => {
      const tenantId = params['tenant'];
      const namespace = params['namespace'];
      const override = queryBool(request, 'override', false);
      let flows = parseAll(deps, bodyYaml(request));
      if (override) {
        flows = flows.map((f) => ({ ...f, namespace, source: replaceNamespace(f.source, namespace) }));
      }
      const bad = flows.filter((f) => f.namespace !== namespace);
      if (bad.length > 0) throw new ValidationError('Invalid flows', bad.map((f) => ({ message: `flow namespace is invalid: '${f.namespace}' is not '${namespace}'`, path: 'namespace' })));
      const scope = queryBool(request, 'delete', true) ? await deps.flows.list(tenantId, { namespace }) : undefined;
      await assertFlowsWritable((ns, id) => deps.flows.find(tenantId, ns, id), request, flows, scope);
      return json(200, await applyBulk(deps, tenantId, flows, scope));
    },
  },
  {
    method: 'GET',
    path: `${BASE}/:namespace/:id`,
    handle: async ({ request, params }) => {
      const revision = queryInt(request, 'revision', { min: 1 });
      const f = await deps.flows.get(params['tenant'], params['namespace'], params['id'], {
        ...(revision !== undefined ? { revision } : {}),
        allowDeleted: queryBool(request, 'allowDeleted', false),
      });
      return json(200, flowJson(f, queryBool(request, 'source', false)));
    },
  },
  {
    method: 'PUT',
    path: `${BASE}/:namespace/:id`,
    handle: async ({ request, params }) => {
      assertFlowWritable(await deps.flows.find(params['tenant'], params['namespace'], params['id']), request, { newSource: bodyYaml(request), action: 'update' });
      return json(200, flowJson((await deps.flows.update(params['tenant'], params['namespace'], params['id'], bodyYaml(request))).flow, true));
    },
  },
  {
    method: 'DELETE',
    path: `${BASE}/:namespace/:id`,
    handle: async ({ request, params }) => {
      assertFlowWritable(await deps.flows.find(params['tenant'], params['namespace'], params['id']), request, { action: 'delete' });
      await deps.flows.delete(params['tenant'], params['namespace'], params['id']);
      return noContent();
    },
  },
  {
    method: 'GET',
    path: `${BASE}/:namespace/:id/revisions`,
    handle: async ({ params }) => json(200, (await deps.flows.revisions(params['tenant'], params['namespace'], params['id'])).map((f) => flowJson(f, true))),
  },
  {
    method: 'GET',
    path: `${BASE}/:namespace/:id/tasks/:taskId`,
    handle: async ({ request, params }) => {
      const revision = queryInt(request, 'revision', { min: 1 });
      const f = await deps.flows.get(params['tenant'], params['namespace'], params['id'], revision !== undefined ? { revision } : {});
      const task = findTask(f.flow as unknown as Record<string, unknown>, params['taskId']);
      if (!task) throw new NotFoundError('Task', params['taskId']);
      return json(200, task);
    },
  },
];

function idsWithNamespace(body: unknown): { namespace: string; id: string }[] {
  if (!Array.isArray(body)) throw new BadRequestError('expected a JSON array of {namespace, id}');
  return body.map((x) => {
    const o = x as { namespace?: unknown; id?: unknown };
    if (typeof o?.namespace !== 'string' || typeof o.id !== 'string') throw new BadRequestError('expected a JSON array of {namespace, id}');
    return { namespace: o.namespace, id: o.id };
  });
}

/** Depth-first search for a task by id anywhere in the flow (nested tasks, errors, finally, branches). */
function findTask(node: unknown, taskId: string): Record<string, unknown> | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = findTask(n, taskId);
      if (found) return found;
    }
    return undefined;
  }
  if (node === null || typeof node !== 'object') return undefined;
  const o = node as Record<string, unknown>;
  if (o['id'] === taskId && typeof o['type'] === 'string') return o;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'triggers' || k === 'inputs' || k === 'outputs') continue;
    const found = findTask(v, taskId);
    if (found) return found;
  }
  return undefined;
}
