import { BadRequestError, assertValidNamespace, normalizeNamespacePath } from '@windhover/core';
import type { ApiDeps, RouteModule } from '../api-deps';
import type { ApiRequest, ApiResponse, Route } from '../http-types';
import { multipartBoundary, parseMultipart } from '../multipart';
import { json, queryInt, queryOne } from '../request';
import { createZip, readZip } from '../zip';
import {
  NamespaceFileService,
  type NamespaceFileServiceOptions,
  PayloadTooLargeError,
} from '../../services/namespace-file-service';

const BASE = '/api/v1/:tenant/namespaces/:namespace/files';
/** Multipart framing allowance on top of the file size limit. */
const MULTIPART_OVERHEAD = 64 * 1024;
/** `/_flows/<file>.yml` (one level) uploads import a flow, as in Kestra. */
const FLOW_IMPORT = /^\/_flows\/[^/]+\.ya?ml$/;

const ok = (): ApiResponse => ({ status: 200 });

function requiredQuery(req: ApiRequest, name: string): string {
  const v = queryOne(req, name);
  if (v === undefined) throw new BadRequestError(`query parameter '${name}' is required`);
  return v;
}

/** The `fileContent` part of a multipart upload (with or without a file name). */
function uploadedFile(req: ApiRequest, limit: number): { filename?: string; data: Uint8Array } {
  if (req.body.byteLength > limit + MULTIPART_OVERHEAD) throw new PayloadTooLargeError('The upload', req.body.byteLength, limit);
  const boundary = multipartBoundary(req.headers['content-type']);
  if (!boundary) throw new BadRequestError("expected a multipart/form-data body with a 'fileContent' part");
  const part = parseMultipart(req.body, boundary).find((p) => p.name === 'fileContent');
  if (!part) throw new BadRequestError("multipart part 'fileContent' is required");
  return { ...(part.filename !== undefined ? { filename: part.filename } : {}), data: part.data };
}

function expandZip(data: Uint8Array): { path: string; content: Uint8Array }[] {
  try {
    return readZip(data).map((e) => ({ path: e.name, content: e.data }));
  } catch (e) {
    if (e instanceof BadRequestError) throw e;
    // zlib refuses entries that inflate beyond their declared size (zip bombs) or are corrupt.
    throw new BadRequestError('corrupt or oversized ZIP archive', { cause: e });
  }
}

/**
 * Kestra's namespace file API (`/api/v1/{tenant}/namespaces/{ns}/files`):
 * content (with `revision`), stats, directory listing and creation, upload
 * (multipart `fileContent`; a .zip is expanded; `/_flows/x.yml` imports a
 * flow), move, recursive delete, search, ZIP export and revisions. Bad paths
 * are 400 and change nothing; uploads above the limit are 413.
 */
export function namespaceFileRoutesWith(options: NamespaceFileServiceOptions = {}): RouteModule {
  return (deps: ApiDeps): Route[] => {
    const files = new NamespaceFileService(deps.ports.namespaceFiles, deps.ports.clock, options);
    const importFlows = async (tenantId: string, namespace: string, sources: readonly { path: string; source: string }[]) => {
      if (sources.length === 0) return;
      const taskFlows = deps.flows.taskFlows(tenantId);
      for (const s of sources) {
        const problems = await taskFlows.validate(s.source);
        if (problems.length > 0) throw new BadRequestError(`Invalid flow '${s.path}': ${problems.map((p) => p.message).join('; ')}`);
      }
      for (const s of sources) await taskFlows.save(s.source, { namespaceOverride: namespace });
    };
    return [
      {
        method: 'GET',
        path: BASE,
        handle: async ({ request, params }) => {
          const revision = queryInt(request, 'revision', { min: 1 });
          const data = await files.get(params['tenant'], params['namespace'], requiredQuery(request, 'path'), revision);
          return { status: 200, headers: { 'content-type': 'application/octet-stream', 'cache-control': 'no-cache' }, body: data };
        },
      },
      {
        method: 'GET',
        path: `${BASE}/stats`,
        handle: async ({ request, params }) => json(200, await files.stats(params['tenant'], params['namespace'], queryOne(request, 'path') ?? '/')),
      },
      {
        method: 'GET',
        path: `${BASE}/directory`,
        handle: async ({ request, params }) =>
          json(200, await files.listDirectory(params['tenant'], params['namespace'], queryOne(request, 'path') ?? '/')),
      },
      {
        method: 'POST',
        path: `${BASE}/directory`,
        handle: async ({ request, params }) => {
          await files.mkdir(params['tenant'], params['namespace'], requiredQuery(request, 'path'));
          return ok();
        },
      },
      {
        method: 'POST',
        path: BASE,
        handle: async ({ request, params }) => {
          const tenantId = params['tenant'];
          const namespace = assertValidNamespace(params['namespace']);
          const upload = uploadedFile(request, files.maxFileBytes);
          if (upload.filename?.toLowerCase().endsWith('.zip')) {
            // Kestra places each entry at `/<entry>` and ignores `path`; every entry is checked before anything is written.
            const entries = expandZip(upload.data).map((e) => ({ ...e, path: normalizeNamespacePath(e.path) }));
            const flowEntries = entries.filter((e) => FLOW_IMPORT.test(e.path));
            const fileEntries = entries.filter((e) => !FLOW_IMPORT.test(e.path));
            for (const e of fileEntries) files.path(e.path);
            await importFlows(
              tenantId,
              namespace,
              flowEntries.map((e) => ({ path: e.path, source: new TextDecoder().decode(e.content) })),
            );
            await files.putMany(tenantId, namespace, fileEntries);
            return ok();
          }
          const path = normalizeNamespacePath(requiredQuery(request, 'path'));
          if (FLOW_IMPORT.test(path)) {
            await importFlows(tenantId, namespace, [{ path, source: new TextDecoder().decode(upload.data) }]);
            return ok();
          }
          await files.put(tenantId, namespace, path, upload.data);
          return ok();
        },
      },
      {
        method: 'PUT',
        path: BASE,
        handle: async ({ request, params }) => {
          await files.move(params['tenant'], params['namespace'], requiredQuery(request, 'from'), requiredQuery(request, 'to'));
          return ok();
        },
      },
      {
        method: 'DELETE',
        path: BASE,
        handle: async ({ request, params }) => {
          await files.delete(params['tenant'], params['namespace'], requiredQuery(request, 'path'));
          return { status: 204 };
        },
      },
      {
        method: 'GET',
        path: `${BASE}/search`,
        handle: async ({ request, params }) => json(200, await files.search(params['tenant'], params['namespace'], queryOne(request, 'q') ?? '')),
      },
      {
        method: 'GET',
        path: `${BASE}/revisions`,
        handle: async ({ request, params }) =>
          json(200, await files.revisions(params['tenant'], params['namespace'], requiredQuery(request, 'path'))),
      },
      {
        method: 'GET',
        path: `${BASE}/export`,
        handle: async ({ params }) => {
          const tenantId = params['tenant'];
          const namespace = assertValidNamespace(params['namespace']);
          const entries: { name: string; data: Uint8Array }[] = [];
          for (const m of await files.listFiles(tenantId, namespace)) {
            const data = await deps.ports.namespaceFiles.get(tenantId, namespace, m.path);
            if (data) entries.push({ name: m.path.slice(1), data });
          }
          for (const f of await deps.ports.flows.list(tenantId, { namespace })) {
            entries.push({ name: `_flows/${f.flow.id}.yml`, data: new TextEncoder().encode(f.source) });
          }
          return {
            status: 200,
            headers: {
              'content-type': 'application/octet-stream',
              'content-disposition': `attachment; filename="${namespace}_files.zip"`,
            },
            body: createZip(entries),
          };
        },
      },
    ];
  };
}

/** The namespace file routes with the default 50 MB limit. */
export const namespaceFileRoutes: RouteModule = namespaceFileRoutesWith();
