import type {
  FlowSaveStatus,
  FlowWithSource,
  JsonValue,
  KvEntry,
  KvType,
  LogLevel,
  Metric,
  NamespaceFileMeta,
  RunContext,
  TaskFlows,
  TaskKv,
  TaskLogger,
  TaskNamespaceFiles,
  TaskStorage,
} from '@windhover/core';
import { NotFoundError, ValidationError } from '@windhover/core';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';

/**
 * Small, real, in-memory implementations of what a task sees through its
 * RunContext (flows with revisions and validation, namespace files with
 * revisions, KV, internal storage, secrets), shared by every context of one
 * world so that several task runs see each other's writes. Used by the Git
 * task tests until they run on the local edition.
 */

export interface LoggedLine {
  readonly level: LogLevel;
  readonly message: string;
}

const ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
const NS_RE = /^[a-z0-9][a-z0-9._-]*$/;

export interface FlowProblem {
  message: string;
  path?: string;
  line?: number;
  column?: number;
}

/** Validation: YAML syntax, id/namespace formats and tasks with id and a known type prefix, located by line. */
export function validateFlowSource(source: string): FlowProblem[] {
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc });
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => {
      const pos = e.pos ? lc.linePos(e.pos[0]) : undefined;
      return { message: e.message.split('\n')[0], line: pos?.line, column: pos?.col };
    });
  }
  const root = doc.contents;
  if (!isMap(root)) return [{ message: 'a flow must be a YAML map', line: 1 }];
  const problems: FlowProblem[] = [];
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    return range ? lc.linePos(range[0]).line : undefined;
  };
  const id = root.get('id', true);
  if (!isScalar(id) || typeof id.value !== 'string' || !ID_RE.test(id.value)) problems.push({ message: 'id: must match [a-zA-Z0-9][a-zA-Z0-9._-]*', path: 'id', line: lineOf(id) ?? 1 });
  const ns = root.get('namespace', true);
  if (!isScalar(ns) || typeof ns.value !== 'string' || !NS_RE.test(ns.value)) problems.push({ message: 'namespace: must match [a-z0-9][a-z0-9._-]*', path: 'namespace', line: lineOf(ns) ?? 1 });
  const tasks = root.get('tasks', true);
  if (!isSeq(tasks) || tasks.items.length === 0) {
    problems.push({ message: 'tasks: must not be empty', path: 'tasks', line: lineOf(tasks) ?? 1 });
  } else {
    tasks.items.forEach((t, i) => {
      if (!isMap(t)) {
        problems.push({ message: 'a task must be a map', path: `tasks[${i}]`, line: lineOf(t) });
        return;
      }
      const type = t.get('type', true);
      if (!isScalar(type) || typeof type.value !== 'string' || !type.value.startsWith('io.kestra.')) {
        problems.push({ message: `Invalid type: ${isScalar(type) ? String(type.value) : 'missing'}`, path: `tasks[${i}].type`, line: lineOf(type) ?? lineOf(t) });
      }
      const tid = t.get('id', true);
      if (!isScalar(tid) || typeof tid.value !== 'string') problems.push({ message: 'id: must not be null', path: `tasks[${i}].id`, line: lineOf(t) });
    });
  }
  return problems;
}

const normalize = (s: string): string =>
  s
    .replace(/\r\n?/g, '\n')
    .replace(/^revision:[ \t]*\d+[ \t]*(\n|$)/gm, '')
    .trim();

export class MemoryFlows implements TaskFlows {
  readonly revisions = new Map<string, FlowWithSource[]>();
  saves = 0;
  constructor(
    readonly tenantId: string,
    readonly now: () => Date,
  ) {}

  async list(options: { namespace: string; includeChildNamespaces?: boolean }): Promise<readonly FlowWithSource[]> {
    const out: FlowWithSource[] = [];
    for (const revs of this.revisions.values()) {
      const last = revs[revs.length - 1];
      if (last.deleted) continue;
      const ns = last.flow.namespace;
      const match =
        options.namespace === ''
          ? options.includeChildNamespaces === true
          : ns === options.namespace || (options.includeChildNamespaces === true && ns.startsWith(`${options.namespace}.`));
      if (match) out.push(last);
    }
    return out.sort((a, b) => (`${a.flow.namespace}.${a.flow.id}` < `${b.flow.namespace}.${b.flow.id}` ? -1 : 1));
  }

  async get(namespace: string, id: string): Promise<FlowWithSource | undefined> {
    const revs = this.revisions.get(`${namespace}/${id}`);
    const last = revs?.[revs.length - 1];
    return last && !last.deleted ? last : undefined;
  }

  async validate(source: string): Promise<readonly FlowProblem[]> {
    return validateFlowSource(source);
  }

  async save(source: string, options?: { namespaceOverride?: string }): Promise<{ flow: FlowWithSource; status: FlowSaveStatus }> {
    let src = source;
    if (options?.namespaceOverride) src = src.replace(/^namespace:.*$/m, `namespace: ${options.namespaceOverride}`);
    const problems = validateFlowSource(src);
    if (problems.length > 0) throw new ValidationError(`Invalid flow: ${problems.map((p) => p.message).join(', ')}`, problems);
    const parsed = parseDocument(src).toJS() as { id: string; namespace: string; tasks: [] };
    const key = `${parsed.namespace}/${parsed.id}`;
    const revs = this.revisions.get(key) ?? [];
    const last = revs[revs.length - 1];
    if (last && !last.deleted && normalize(last.source) === normalize(src)) return { flow: last, status: 'UNCHANGED' };
    const flow: FlowWithSource = {
      flow: { ...parsed },
      source: src,
      revision: (last?.revision ?? 0) + 1,
      tenantId: this.tenantId,
      updated: this.now().toISOString(),
    };
    revs.push(flow);
    this.revisions.set(key, revs);
    this.saves++;
    return { flow, status: last && !last.deleted ? 'UPDATED' : 'ADDED' };
  }

  async delete(namespace: string, id: string): Promise<boolean> {
    const revs = this.revisions.get(`${namespace}/${id}`);
    const last = revs?.[revs.length - 1];
    if (!revs || !last || last.deleted) return false;
    revs.push({ ...last, revision: last.revision + 1, deleted: true, updated: this.now().toISOString() });
    return true;
  }

  /** Test helper: writes a flow directly, as an API edit would. */
  put(source: string): FlowWithSource {
    const parsed = parseDocument(source).toJS() as { id: string; namespace: string };
    const key = `${parsed.namespace}/${parsed.id}`;
    const revs = this.revisions.get(key) ?? [];
    const flow: FlowWithSource = {
      flow: parsed as FlowWithSource['flow'],
      source,
      revision: (revs[revs.length - 1]?.revision ?? 0) + 1,
      tenantId: this.tenantId,
      updated: this.now().toISOString(),
    };
    revs.push(flow);
    this.revisions.set(key, revs);
    return flow;
  }

  revisionCount(namespace: string, id: string): number {
    return this.revisions.get(`${namespace}/${id}`)?.length ?? 0;
  }
}

interface StoredFile {
  content: Uint8Array;
  revision: number;
  updated: string;
}

export class MemoryNamespaceFiles implements TaskNamespaceFiles {
  readonly files = new Map<string, Map<string, StoredFile>>();
  readonly dirs = new Map<string, Set<string>>();
  writes = 0;
  constructor(readonly now: () => Date) {}

  #ns(namespace: string): Map<string, StoredFile> {
    let m = this.files.get(namespace);
    if (!m) {
      m = new Map();
      this.files.set(namespace, m);
    }
    return m;
  }

  static clean(path: string): string {
    const p = `/${path.split('/').filter((s) => s !== '' && s !== '.').join('/')}`;
    if (p.split('/').includes('..')) throw new Error(`invalid path ${path}`);
    return p;
  }

  async get(namespace: string, path: string): Promise<Uint8Array | undefined> {
    return this.files.get(namespace)?.get(MemoryNamespaceFiles.clean(path))?.content;
  }

  async list(namespace: string, prefix?: string): Promise<readonly NamespaceFileMeta[]> {
    const base = prefix ? MemoryNamespaceFiles.clean(prefix) : '/';
    const out: NamespaceFileMeta[] = [];
    const dirs = new Set<string>(this.dirs.get(namespace) ?? []);
    for (const [path, f] of this.files.get(namespace) ?? []) {
      if (base !== '/' && !path.startsWith(`${base}/`)) continue;
      out.push({ path, type: 'File', size: f.content.length, revision: f.revision, updated: f.updated });
      const segs = path.split('/').slice(1, -1);
      for (let i = 1; i <= segs.length; i++) dirs.add(`/${segs.slice(0, i).join('/')}`);
    }
    for (const d of dirs) {
      if (base !== '/' && !d.startsWith(`${base}/`)) continue;
      out.push({ path: d, type: 'Directory', size: 0, revision: 1, updated: this.now().toISOString() });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  async put(namespace: string, path: string, content: Uint8Array): Promise<{ meta: NamespaceFileMeta; changed: boolean }> {
    const p = MemoryNamespaceFiles.clean(path);
    const m = this.#ns(namespace);
    const cur = m.get(p);
    if (cur && Buffer.compare(cur.content, content) === 0) {
      return { meta: { path: p, type: 'File', size: content.length, revision: cur.revision, updated: cur.updated }, changed: false };
    }
    const f: StoredFile = { content: new Uint8Array(content), revision: (cur?.revision ?? 0) + 1, updated: this.now().toISOString() };
    m.set(p, f);
    this.writes++;
    return { meta: { path: p, type: 'File', size: content.length, revision: f.revision, updated: f.updated }, changed: true };
  }

  async delete(namespace: string, path: string): Promise<readonly string[]> {
    const p = MemoryNamespaceFiles.clean(path);
    const m = this.#ns(namespace);
    const deleted: string[] = [];
    for (const k of [...m.keys()]) {
      if (k === p || k.startsWith(`${p}/`)) {
        m.delete(k);
        deleted.push(k);
      }
    }
    const ds = this.dirs.get(namespace);
    if (ds) for (const d of [...ds]) if (d === p || d.startsWith(`${p}/`)) ds.delete(d);
    return deleted;
  }
}

export class MemoryKv {
  readonly entries = new Map<string, KvEntry>();
  constructor(readonly now: () => Date) {}
  scoped(defaultNamespace: string): TaskKv {
    const k = (ns: string | undefined, key: string) => `${ns ?? defaultNamespace}/${key}`;
    return {
      get: async (key, namespace) => this.entries.get(k(namespace, key)),
      set: async (key: string, value: JsonValue, options?: { namespace?: string; type?: KvType; overwrite?: boolean }) => {
        const now = this.now().toISOString();
        const prev = this.entries.get(k(options?.namespace, key));
        if (prev && options?.overwrite === false) throw new Error(`key ${key} exists`);
        this.entries.set(k(options?.namespace, key), { key, type: options?.type ?? 'JSON', value, creationDate: prev?.creationDate ?? now, updateDate: now });
      },
      delete: async (key, namespace) => this.entries.delete(k(namespace, key)),
      list: async (namespace) => [...this.entries.entries()].filter(([kk]) => kk.startsWith(`${namespace ?? defaultNamespace}/`)).map(([, v]) => v),
    };
  }
}

export class MemoryStorage {
  readonly files = new Map<string, Uint8Array>();
  scoped(prefix: string): TaskStorage {
    return {
      putFile: async (name, data) => {
        const uri = `kestra://${prefix}/${name}`;
        this.files.set(uri, new Uint8Array(data));
        return uri;
      },
      getFile: async (uri) => {
        const f = this.files.get(uri);
        if (!f) throw new NotFoundError('file', uri);
        return f;
      },
      exists: async (uri) => this.files.has(uri),
      size: async (uri) => this.files.get(uri)?.length ?? 0,
      delete: async (uri) => this.files.delete(uri),
    };
  }
}

/** Renders `{{ secret('X') }}` and dotted variable paths, which is all the Git task tests use. */
async function renderString(template: string, vars: Readonly<Record<string, unknown>>, secret: (k: string) => Promise<string>): Promise<string> {
  const parts = template.split(/(\{\{[^}]*\}\})/);
  let out = '';
  for (const part of parts) {
    const m = /^\{\{\s*(.*?)\s*\}\}$/.exec(part);
    if (!m) {
      out += part;
      continue;
    }
    const expr = m[1];
    const sec = /^secret\(\s*['"]([^'"]+)['"]\s*\)$/.exec(expr);
    if (sec) {
      out += await secret(sec[1]);
      continue;
    }
    let v: unknown = vars;
    for (const seg of expr.split('.')) v = (v as Record<string, unknown> | undefined)?.[seg];
    if (v === undefined) throw new Error(`Unable to find '${expr}' used in the expression`);
    out += String(v);
  }
  return out;
}

export interface TaskWorld {
  readonly tenantId: string;
  readonly flows: MemoryFlows;
  readonly namespaceFiles: MemoryNamespaceFiles;
  readonly kv: MemoryKv;
  readonly storage: MemoryStorage;
  readonly secrets: Map<string, string>;
  readonly logs: LoggedLine[];
  context(options?: { namespace?: string; flowId?: string; executionId?: string; taskId?: string; variables?: Record<string, unknown> }): RunContext;
  readIon(uri: string): Promise<string>;
}

let counter = 0;

export function createTaskWorld(options: { secrets?: Record<string, string> } = {}): TaskWorld {
  const now = () => new Date();
  const flows = new MemoryFlows('main', now);
  const namespaceFiles = new MemoryNamespaceFiles(now);
  const kv = new MemoryKv(now);
  const storage = new MemoryStorage();
  const secrets = new Map(Object.entries(options.secrets ?? {}));
  const logs: LoggedLine[] = [];
  const world: TaskWorld = {
    tenantId: 'main',
    flows,
    namespaceFiles,
    kv,
    storage,
    secrets,
    logs,
    context(o = {}) {
      const namespace = o.namespace ?? 'system';
      const flowId = o.flowId ?? 'git_sync';
      const executionId = o.executionId ?? `exec${++counter}`;
      const taskId = o.taskId ?? 'git';
      const taskRunId = `tr${counter}`;
      const variables = { flow: { id: flowId, namespace }, execution: { id: executionId }, ...(o.variables ?? {}) };
      const secret = async (key: string) => {
        const v = secrets.get(key);
        if (v === undefined) throw new Error(`Cannot find secret for key '${key}'`);
        return v;
      };
      const log = (level: LogLevel, message: string) => {
        logs.push({ level, message });
      };
      const logger: TaskLogger = {
        log,
        trace: (m) => log('TRACE', m),
        debug: (m) => log('DEBUG', m),
        info: (m) => log('INFO', m),
        warn: (m) => log('WARN', m),
        error: (m) => log('ERROR', m),
      };
      const render = async (value: unknown): Promise<unknown> => {
        if (typeof value === 'string') return renderString(value, variables, secret);
        if (Array.isArray(value)) return Promise.all(value.map(render));
        if (value && typeof value === 'object') {
          const out: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(value)) out[k] = await render(v);
          return out;
        }
        return value;
      };
      return {
        tenantId: 'main',
        namespace,
        flowId,
        executionId,
        taskRunId,
        taskId,
        attempt: 1,
        variables,
        render,
        renderString: async (v) => (typeof v === 'string' ? renderString(v, variables, secret) : String(v)),
        logger,
        signal: new AbortController().signal,
        storage: storage.scoped(`/${namespace.replace(/\./g, '/')}/${flowId}/executions/${executionId}/tasks/${taskId}/${taskRunId}`),
        kv: kv.scoped(namespace),
        namespaceFiles,
        flows,
        secret,
        metric: (_m: Metric) => {},
        now,
      };
    },
    async readIon(uri) {
      return new TextDecoder().decode(await storage.scoped('').getFile(uri));
    },
  };
  return world;
}

