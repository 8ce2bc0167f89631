import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { CliIo, Command } from '../command';

const USAGE =
  'apply -f FILE|DIR [-f ...] [--server URL] [--user USER:PASSWORD | --api-token TOKEN] [--tenant main] [--dry-run]';

/** The manager name sent with every write, so that flows labelled system.readOnly may be changed. */
export const APPLY_MANAGER = 'windhover-apply';

/** A Kestra Kubernetes-operator resource (apiVersion model.kestra.io/v1alpha1), as `kubectl apply` reads it. */
export type Manifest =
  | { kind: 'KestraFlow'; name: string; tenant?: string; namespace: string; id: string; source: string }
  | { kind: 'KestraKeyValue'; name: string; tenant?: string; namespace: string; key: string; value: string; type?: string; ttl?: string }
  | { kind: 'KestraNamespaceFile'; name: string; tenant?: string; namespace: string; filename: string; content: string };

interface Located {
  readonly file: string;
  readonly index: number;
}

const KV_TYPES = ['STRING', 'NUMBER', 'BOOLEAN', 'DATETIME', 'DATE', 'DURATION', 'JSON'];

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** Reads and checks one manifest document; problems are returned, not thrown, so that every file is checked. */
export function readManifest(doc: unknown, where: Located): { manifest?: Manifest; problems: string[] } {
  const at = `${where.file}#${where.index + 1}`;
  if (typeof doc !== 'object' || doc === null) return { problems: [`${at}: not a YAML map`] };
  const d = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown }; spec?: Record<string, unknown> };
  const problems: string[] = [];
  if (d.apiVersion !== 'model.kestra.io/v1alpha1') problems.push(`${at}: apiVersion must be model.kestra.io/v1alpha1`);
  const name = str(d.metadata?.name) ?? '';
  const spec = d.spec ?? {};
  const need = (field: string): string => {
    const v = str(spec[field]);
    if (v === undefined || v === '') problems.push(`${at}: spec.${field} is required`);
    return v ?? '';
  };
  const tenant = str(spec['tenant']);
  switch (d.kind) {
    case 'KestraFlow': {
      const namespace = need('namespace');
      const id = need('id');
      const source = need('source');
      // The operator docs: id and namespace must be set both in spec and inside source.
      const srcId = /^id:[ \t]*["']?([^"'\s#]+)/m.exec(source)?.[1];
      const srcNs = /^namespace:[ \t]*["']?([^"'\s#]+)/m.exec(source)?.[1];
      if (source && srcId !== id) problems.push(`${at}: spec.id '${id}' differs from the id in spec.source ('${srcId ?? 'none'}')`);
      if (source && srcNs !== namespace) problems.push(`${at}: spec.namespace '${namespace}' differs from the namespace in spec.source ('${srcNs ?? 'none'}')`);
      return { manifest: { kind: 'KestraFlow', name, namespace, id, source, ...(tenant ? { tenant } : {}) }, problems };
    }
    case 'KestraKeyValue': {
      const namespace = need('namespace');
      const key = need('key');
      const value = str(spec['value']);
      if (value === undefined) problems.push(`${at}: spec.value is required`);
      const type = str(spec['type'])?.toUpperCase();
      if (type && !KV_TYPES.includes(type)) problems.push(`${at}: spec.type must be one of ${KV_TYPES.join(', ')}`);
      const ttl = str(spec['ttl']);
      return {
        manifest: { kind: 'KestraKeyValue', name, namespace, key, value: value ?? '', ...(type ? { type } : {}), ...(ttl ? { ttl } : {}), ...(tenant ? { tenant } : {}) },
        problems,
      };
    }
    case 'KestraNamespaceFile': {
      const namespace = need('namespace');
      const filename = need('filename');
      const content = str(spec['content']);
      if (content === undefined) problems.push(`${at}: spec.content is required`);
      return { manifest: { kind: 'KestraNamespaceFile', name, namespace, filename, content: content ?? '', ...(tenant ? { tenant } : {}) }, problems };
    }
    default:
      return { problems: [`${at}: unknown kind '${String(d.kind)}' (KestraFlow, KestraKeyValue, KestraNamespaceFile)`] };
  }
}

function manifestFiles(path: string): string[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .sort()
      .flatMap((f) => (/\.ya?ml$/i.test(f) || statSync(join(path, f)).isDirectory() ? manifestFiles(join(path, f)) : []));
  }
  return [path];
}

/** The typed JSON body Kestra's KV API expects for a value written as a string in a manifest. */
function kvBody(value: string, type: string | undefined): string {
  switch (type) {
    case 'NUMBER':
    case 'BOOLEAN':
    case 'JSON':
      return value;
    default:
      return JSON.stringify(value);
  }
}

interface ApiOptions {
  readonly server: string;
  readonly auth?: string;
  readonly tenant: string;
}

async function request(o: ApiOptions, method: string, path: string, body?: string | FormData, contentType?: string): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'x-windhover-managed-by': APPLY_MANAGER };
  if (o.auth) headers['authorization'] = o.auth;
  if (contentType) headers['content-type'] = contentType;
  const res = await fetch(`${o.server.replace(/\/+$/, '')}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, text: await res.text() };
}

const norm = (s: string): string => s.replace(/\r\n?/g, '\n').trim();

/** Creates or updates one resource; returns kubectl's verb (created, configured, unchanged). */
async function applyOne(o: ApiOptions, m: Manifest, dryRun: boolean): Promise<string> {
  const t = encodeURIComponent(m.tenant ?? o.tenant);
  const ns = encodeURIComponent(m.namespace);
  const fail = (r: { status: number; text: string }): never => {
    throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 500)}`);
  };
  if (m.kind === 'KestraFlow') {
    const current = await request(o, 'GET', `/api/v1/${t}/flows/${ns}/${encodeURIComponent(m.id)}?source=true`);
    if (current.status === 200) {
      const src = (JSON.parse(current.text) as { source?: string }).source ?? '';
      if (norm(src) === norm(m.source)) return 'unchanged';
      if (dryRun) return 'configured (dry run)';
      const r = await request(o, 'PUT', `/api/v1/${t}/flows/${ns}/${encodeURIComponent(m.id)}`, m.source, 'application/x-yaml');
      return r.status === 200 ? 'configured' : fail(r);
    }
    if (current.status !== 404) fail(current);
    if (dryRun) return 'created (dry run)';
    const r = await request(o, 'POST', `/api/v1/${t}/flows`, m.source, 'application/x-yaml');
    return r.status === 200 ? 'created' : fail(r);
  }
  if (m.kind === 'KestraKeyValue') {
    const path = `/api/v1/${t}/namespaces/${ns}/kv/${encodeURIComponent(m.key)}`;
    const current = await request(o, 'GET', path);
    const body = kvBody(m.value, m.type);
    if (current.status === 200 && !m.ttl) {
      const v = (JSON.parse(current.text) as { value?: unknown }).value;
      const wanted: unknown = m.type === 'NUMBER' || m.type === 'BOOLEAN' || m.type === 'JSON' ? JSON.parse(body) : m.value;
      if (JSON.stringify(v) === JSON.stringify(wanted)) return 'unchanged';
    }
    if (dryRun) return current.status === 200 ? 'configured (dry run)' : 'created (dry run)';
    const headers = m.ttl ? { ttl: m.ttl } : undefined;
    const res = await fetch(`${o.server.replace(/\/+$/, '')}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-windhover-managed-by': APPLY_MANAGER, ...(o.auth ? { authorization: o.auth } : {}), ...(headers ?? {}) },
      body,
    });
    if (res.status >= 300) fail({ status: res.status, text: await res.text() });
    return current.status === 200 ? 'configured' : 'created';
  }
  const path = `/${m.filename.replace(/^\/+/, '')}`;
  const current = await request(o, 'GET', `/api/v1/${t}/namespaces/${ns}/files?path=${encodeURIComponent(path)}`);
  if (current.status === 200 && current.text === m.content) return 'unchanged';
  if (dryRun) return current.status === 200 ? 'configured (dry run)' : 'created (dry run)';
  const form = new FormData();
  form.append('fileContent', new Blob([m.content]), path.slice(path.lastIndexOf('/') + 1));
  const r = await request(o, 'POST', `/api/v1/${t}/namespaces/${ns}/files?path=${encodeURIComponent(path)}`, form);
  if (r.status >= 300) fail(r);
  return current.status === 200 ? 'configured' : 'created';
}

function parseArgs(args: readonly string[]): { files: string[]; server: string; auth?: string; tenant: string; dryRun: boolean } | string {
  const files: string[] = [];
  let server = process.env['WINDHOVER_URL'] ?? 'http://localhost:8080';
  let user = process.env['WINDHOVER_USER'] ? `${process.env['WINDHOVER_USER']}:${process.env['WINDHOVER_PASSWORD'] ?? ''}` : undefined;
  let token = process.env['WINDHOVER_API_TOKEN'];
  let tenant = 'main';
  let dryRun = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-f' || a === '--filename') files.push(args[++i] ?? '');
    else if (a === '--server') server = args[++i] ?? server;
    else if (a === '--user') user = args[++i];
    else if (a === '--api-token') token = args[++i];
    else if (a === '--tenant') tenant = args[++i] ?? tenant;
    else if (a === '--dry-run') dryRun = true;
    else return `unknown argument '${a}'`;
  }
  if (files.length === 0 || files.some((f) => f === '')) return 'give at least one -f FILE|DIR';
  const auth = token ? `Bearer ${token}` : user ? `Basic ${Buffer.from(user).toString('base64')}` : undefined;
  return { files, server, ...(auth ? { auth } : {}), tenant, dryRun };
}

/**
 * `windhover apply -f manifests/`: the Kestra Kubernetes operator's resources
 * (KestraFlow, KestraKeyValue, KestraNamespaceFile) applied through the API,
 * like `kubectl apply`. Every document is read and checked first: one invalid
 * manifest means nothing is applied. Writes carry `X-Windhover-Managed-By:
 * windhover-apply`, so flows labelled `system.readOnly: "true"` can be updated.
 */
export const APPLY_COMMAND: Command = {
  name: ['apply'],
  summary: 'Apply KestraFlow, KestraKeyValue and KestraNamespaceFile manifests (Kestra operator resources) through the API',
  usage: USAGE,
  async run(args, io: CliIo) {
    const parsed = parseArgs(args);
    if (typeof parsed === 'string') {
      io.err(`${parsed}\nUsage: windhover ${USAGE}`);
      return 2;
    }
    const manifests: Manifest[] = [];
    const problems: string[] = [];
    for (const root of parsed.files) {
      let files: string[];
      try {
        files = manifestFiles(root);
      } catch {
        problems.push(`${root}: not found`);
        continue;
      }
      for (const file of files) {
        const docs = parseAllDocuments(readFileSync(file, 'utf8'));
        for (const [index, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
          if (doc.errors.length > 0) {
            problems.push(`${file}#${index + 1}: ${doc.errors[0].message.split('\n')[0]}`);
            continue;
          }
          const value: unknown = doc.toJS();
          if (value === null || value === undefined) continue;
          const r = readManifest(value, { file, index });
          problems.push(...r.problems);
          if (r.manifest && r.problems.length === 0) manifests.push(r.manifest);
        }
      }
    }
    if (problems.length > 0) {
      io.err(`Nothing was applied; invalid manifests:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
      return 1;
    }
    const order: Record<Manifest['kind'], number> = { KestraNamespaceFile: 0, KestraKeyValue: 1, KestraFlow: 2 };
    manifests.sort((a, b) => order[a.kind] - order[b.kind]);
    let failed = 0;
    for (const m of manifests) {
      try {
        const verb = await applyOne(parsed, m, parsed.dryRun);
        io.out(`${m.kind.toLowerCase()}/${m.name || ('id' in m ? m.id : 'key' in m ? m.key : m.filename)} ${verb}`);
      } catch (e) {
        failed++;
        io.err(`${m.kind.toLowerCase()}/${m.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return failed > 0 ? 1 : 0;
  },
};
