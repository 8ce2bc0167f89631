import { type FlowWithSource, type JsonValue, type KvType, type RunContext, TaskFailure, type TaskDefinition, type TaskResult } from '@windhover/core';
import { cleanDirectory, joinRepoPath, normalizeText, readFlowIdentity, rewriteTopLevelNamespace, sha256 } from './flow-source';
import { type GitConnection, readConnection } from './git-connection';
import type { GitRemote } from './git-remote';
import { createGitRemote } from './git-remote-factory';
import { cloneForRead, clonedCommit, decoder, encoder, isProtected, isRunningFlow, readAuthor, requireBranch, writeIonOutput } from './git-task-support';
import { KestraIgnore } from './kestra-ignore';
import type { LocalRepo } from './local-repo';
import { type ExistingFiles, pushToGit } from './push-engine';
import { type ManagedObject, SYNC_STATE_PREFIX, type SyncStateRecord, syncStateKey, writeSyncState } from './sync-state';
import { TaskProperties } from './task-properties';

export type DiffAction = 'ADDED' | 'UPDATED_GIT' | 'UPDATED_KES' | 'DELETED_GIT' | 'DELETED_KES' | 'UNCHANGED';

/** One row of NamespaceSync/TenantSync's `diff` output (plugin-git's DiffLine). */
export interface DiffLine {
  readonly file: string;
  readonly key: string;
  /** KV is a Windhover extension (`includeKvStore`). */
  readonly kind: 'FLOW' | 'FILE' | 'KV';
  readonly action: DiffAction;
}

type Mode = 'GIT' | 'KESTRA';
type WhenMissing = 'DELETE' | 'KEEP' | 'FAIL';
type OnInvalid = 'FAIL' | 'WARN' | 'SKIP';

interface Settings {
  readonly conn: GitConnection;
  readonly remote: GitRemote;
  readonly branch: string;
  readonly gitDirectory: string;
  readonly mode: Mode;
  readonly whenMissing: WhenMissing;
  readonly protectedNamespaces: readonly string[];
  readonly dryRun: boolean;
  readonly onInvalid: OnInvalid;
  readonly allowEmpty: boolean;
  readonly includeKv: boolean;
}

/** What one side holds for a namespace. */
interface Side {
  /** Flow id → { path, text }. */
  readonly flows: Map<string, { path: string; text: string }>;
  /** Namespace file path (`/a/b`) → { path, bytes }. */
  readonly files: Map<string, { path: string; bytes: Uint8Array }>;
  /** KV key → { path, text } (`<ns>/kv/<key>.json`: type, value, description, expirationDate). */
  readonly kv: Map<string, { path: string; text: string }>;
}

const FLOW_FILE = /^([^/]+)\.ya?ml$/i;
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0;

/** Git layout: `<gitDirectory>/<namespace>/flows/<id>.yaml` and `<gitDirectory>/<namespace>/files/<path>`. */
function gitSide(namespace: string, entries: ReadonlyMap<string, () => Promise<Uint8Array | undefined>>, gitDirectory: string): Promise<Side> {
  return (async () => {
    const flows = new Map<string, { path: string; text: string }>();
    const files = new Map<string, { path: string; bytes: Uint8Array }>();
    const kv = new Map<string, { path: string; text: string }>();
    const prefix = `${namespace}/`;
    for (const [rel, read] of entries) {
      if (!rel.startsWith(prefix)) continue;
      const rest = rel.slice(prefix.length);
      if (rest.startsWith('flows/')) {
        const m = FLOW_FILE.exec(rest.slice(6));
        if (!m) continue;
        flows.set(m[1], { path: joinRepoPath(gitDirectory, rel), text: decoder.decode((await read()) ?? new Uint8Array()) });
      } else if (rest.startsWith('files/')) {
        files.set(`/${rest.slice(6)}`, { path: joinRepoPath(gitDirectory, rel), bytes: (await read()) ?? new Uint8Array() });
      } else if (rest.startsWith('kv/') && rest.endsWith('.json') && !rest.slice(3).includes('/')) {
        kv.set(rest.slice(3, -5), { path: joinRepoPath(gitDirectory, rel), text: decoder.decode((await read()) ?? new Uint8Array()) });
      }
    }
    return { flows, files, kv };
  })();
}

async function kestraSide(ctx: RunContext, namespace: string, flows: readonly FlowWithSource[], includeKv: boolean): Promise<Side> {
  const side: Side = { flows: new Map(), files: new Map(), kv: new Map() };
  if (includeKv) {
    for (const e of await ctx.kv.list(namespace)) {
      if (e.key.startsWith(SYNC_STATE_PREFIX)) continue;
      const doc = { type: e.type, value: e.value, ...(e.description ? { description: e.description } : {}), ...(e.expirationDate ? { expirationDate: e.expirationDate } : {}) };
      side.kv.set(e.key, { path: '', text: `${JSON.stringify(doc, null, 2)}\n` });
    }
  }
  for (const f of flows) if (f.flow.namespace === namespace && !f.deleted) side.flows.set(f.flow.id, { path: '', text: f.source });
  for (const m of await ctx.namespaceFiles.list(namespace)) {
    if (m.type !== 'File' || m.deleted) continue;
    const bytes = await ctx.namespaceFiles.get(namespace, m.path);
    if (bytes) side.files.set(m.path, { path: '', bytes });
  }
  return side;
}

/** Namespaces found in Git: top-level folders (under gitDirectory) holding `flows/` or `files/`. */
function gitNamespaces(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    const m = /^([^/]+)\/(flows|files|kv)\//.exec(p);
    if (m && /^[a-z0-9][a-z0-9._-]*$/.test(m[1])) out.add(m[1]);
  }
  return out;
}

const KV_TYPES: readonly KvType[] = ['STRING', 'NUMBER', 'BOOLEAN', 'DATETIME', 'DATE', 'DURATION', 'JSON'];

function parseKvDocument(text: string): { type: KvType; value: JsonValue; expirationDate?: string } | undefined {
  try {
    const doc = JSON.parse(text) as { type?: unknown; value?: unknown; expirationDate?: unknown };
    if (typeof doc !== 'object' || doc === null || !KV_TYPES.includes(doc.type as KvType) || doc.value === undefined) return undefined;
    return { type: doc.type as KvType, value: doc.value as JsonValue, ...(typeof doc.expirationDate === 'string' ? { expirationDate: doc.expirationDate } : {}) };
  } catch {
    return undefined;
  }
}

export interface TwoWayScope {
  /** NamespaceSync: exactly one namespace; TenantSync: every namespace of Windhover and of Git. */
  readonly namespace?: string;
  readonly defaultCommitMessage: string;
}

/**
 * The bidirectional sync shared by NamespaceSync and TenantSync. The plan is
 * computed for every namespace before anything is applied: `whenMissingInSource:
 * FAIL` and invalid flows (with `onInvalidSyntax: FAIL`) stop it before any change.
 * In Git, a flow's file name is its id; a flow whose `id` disagrees with its file
 * name is invalid (Kestra imports it under the other id and re-adds it every run),
 * and its namespace is always the folder's.
 */
export async function runTwoWaySync(task: TaskDefinition, ctx: RunContext, scope: TwoWayScope): Promise<TaskResult> {
  const p = new TaskProperties(task, ctx);
  const conn = await readConnection(p);
  const s: Settings = {
    conn,
    remote: createGitRemote(conn, ctx.signal),
    branch: await p.required('branch'),
    gitDirectory: cleanDirectory(await p.string('gitDirectory', '')),
    mode: await p.enumValue<Mode>('sourceOfTruth', ['GIT', 'KESTRA'], 'KESTRA'),
    whenMissing: await p.enumValue<WhenMissing>('whenMissingInSource', ['DELETE', 'KEEP', 'FAIL'], 'DELETE'),
    protectedNamespaces: (await p.stringList('protectedNamespaces')) ?? ['system'],
    dryRun: await p.bool('dryRun', false),
    onInvalid: await p.enumValue<OnInvalid>('onInvalidSyntax', ['FAIL', 'WARN', 'SKIP'], 'FAIL'),
    allowEmpty: await p.bool('allowEmpty', false),
    includeKv: await p.bool('includeKvStore', false),
  };
  if (/^(origin\/|refs\/)/.test(s.branch)) throw TaskFailure.nonRetryable(`branch must be a plain branch name, got '${s.branch}'`);
  const commitMessage = await p.string('commitMessage', scope.defaultCommitMessage);
  const author = await readAuthor(p, conn);
  const kestraFlows = await ctx.flows.list(scope.namespace ? { namespace: scope.namespace } : { namespace: '', includeChildNamespaces: true });

  if (s.mode === 'GIT') return gitToKestra(task, ctx, s, scope, kestraFlows);

  let lines: DiffLine[] = [];
  const outcome = await pushToGit({
    ctx,
    conn,
    remote: s.remote,
    branch: s.branch,
    gitDirectory: s.gitDirectory,
    dryRun: s.dryRun,
    commitMessage,
    author,
    content: async (existing: ExistingFiles) => {
      lines = [];
      const entries = new Map(existing.paths.map((rel) => [rel, () => existing.read(rel)] as const));
      const namespaces = scope.namespace ? [scope.namespace] : [...new Set([...kestraFlows.map((f) => f.flow.namespace), ...gitNamespaces(existing.paths)])].sort();
      const files = new Map<string, Uint8Array>();
      const deletions = new Set<string>();
      let sourceObjects = 0;
      for (const ns of namespaces) {
        const git = await gitSide(ns, entries, s.gitDirectory);
        const kes = await kestraSide(ctx, ns, kestraFlows, s.includeKv);
        sourceObjects += kes.flows.size + kes.files.size + kes.kv.size;
        for (const [id, k] of kes.flows) {
          const g = git.flows.get(id);
          const path = g?.path ?? joinRepoPath(s.gitDirectory, ns, 'flows', `${id}.yaml`);
          if (g && normalizeText(g.text) === normalizeText(k.text)) continue;
          files.set(path, encoder.encode(k.text));
          lines.push({ file: path, key: `${ns}:${id}`, kind: 'FLOW', action: g ? 'UPDATED_GIT' : 'ADDED' });
        }
        for (const [path, k] of kes.files) {
          const g = git.files.get(path);
          const repoPath = g?.path ?? joinRepoPath(s.gitDirectory, ns, 'files', path);
          if (g && sameBytes(g.bytes, k.bytes)) continue;
          files.set(repoPath, k.bytes);
          lines.push({ file: repoPath, key: `${ns}:${path}`, kind: 'FILE', action: g ? 'UPDATED_GIT' : 'ADDED' });
        }
        if (s.includeKv) {
          for (const [key, k] of kes.kv) {
            const g = git.kv.get(key);
            const path = g?.path ?? joinRepoPath(s.gitDirectory, ns, 'kv', `${key}.json`);
            if (g && normalizeText(g.text) === normalizeText(k.text)) continue;
            files.set(path, encoder.encode(k.text));
            lines.push({ file: path, key: `${ns}:${key}`, kind: 'KV', action: g ? 'UPDATED_GIT' : 'ADDED' });
          }
        }
        const missing = [
          ...[...git.flows].filter(([id]) => !kes.flows.has(id)).map(([id, g]) => ({ key: `${ns}:${id}`, path: g.path, kind: 'FLOW' as const })),
          ...[...git.files].filter(([path]) => !kes.files.has(path)).map(([path, g]) => ({ key: `${ns}:${path}`, path: g.path, kind: 'FILE' as const })),
          ...(s.includeKv ? [...git.kv].filter(([key]) => !kes.kv.has(key)).map(([key, g]) => ({ key: `${ns}:${key}`, path: g.path, kind: 'KV' as const })) : []),
        ];
        for (const m of missing) {
          if (s.whenMissing === 'FAIL') throw TaskFailure.nonRetryable(`${m.kind} '${m.key}' is in Git (${m.path}) but not in Windhover, and whenMissingInSource is FAIL: nothing was changed`);
          if (s.whenMissing === 'KEEP' || isProtected(ns, s.protectedNamespaces)) continue;
          deletions.add(m.path);
          lines.push({ file: m.path, key: m.key, kind: m.kind, action: 'DELETED_GIT' });
        }
      }
      if (sourceObjects === 0 && deletions.size > 0 && !s.allowEmpty) {
        throw TaskFailure.nonRetryable(
          `Refusing to delete all ${deletions.size} file(s) from Git: Windhover has no flow or namespace file in scope. Set allowEmpty: true to prune anyway`,
        );
      }
      return { files, mayDelete: (repoPath) => deletions.has(repoPath), pushWhenEmpty: true };
    },
  });
  lines.sort((a, b) => (a.file < b.file ? -1 : 1));
  const rows = s.dryRun ? lines : outcome.diff;
  return { outputs: { diff: await writeIonOutput(ctx, 'diff', rows), commitId: outcome.commitId, commitURL: outcome.commitURL } };
}

async function gitToKestra(task: TaskDefinition, ctx: RunContext, s: Settings, scope: TwoWayScope, kestraFlows: readonly FlowWithSource[]): Promise<TaskResult> {
  let head = requireBranch(await s.remote.listRefs(), s.branch, s.conn);
  let repo: LocalRepo | undefined;
  try {
    repo = await cloneForRead(s.remote, s.branch);
    head = await clonedCommit(repo, head);
    const ignoreBytes = await repo.readFile(head, joinRepoPath(s.gitDirectory, '.kestraignore'));
    const ignore = new KestraIgnore(ignoreBytes ? decoder.decode(ignoreBytes) : undefined);
    const listed = (await repo.listFiles(head, s.gitDirectory, true)).filter((f) => !ignore.ignores(f.relative));
    const r = repo;
    const entries = new Map(listed.map((f) => [f.relative, () => r.readBlob(f.oid) as Promise<Uint8Array | undefined>] as const));
    const namespaces = scope.namespace ? [scope.namespace] : [...new Set([...kestraFlows.map((f) => f.flow.namespace), ...gitNamespaces(entries.keys())])].sort();

    // Plan every namespace first.
    type Op = () => Promise<void>;
    const ops: Op[] = [];
    // Flows are saved (and deleted) as one batch, so that subflow cycles through the batch are seen before anything is written.
    const flowSaves: { path: string; source: string }[] = [];
    const flowDeletes: { namespace: string; id: string }[] = [];
    const lines: DiffLine[] = [];
    const invalid: string[] = [];
    const perNamespace = new Map<string, { objects: ManagedObject[]; snapshot: Record<string, string> }>();
    let sourceObjects = 0;
    let deletions = 0;
    for (const ns of namespaces) {
      const git = await gitSide(ns, entries, s.gitDirectory);
      const kes = await kestraSide(ctx, ns, kestraFlows, s.includeKv);
      const state = { objects: [] as ManagedObject[], snapshot: {} as Record<string, string> };
      perNamespace.set(ns, state);
      sourceObjects += git.flows.size + git.files.size + (s.includeKv ? git.kv.size : 0);
      for (const [id, g] of git.flows) {
        const source = rewriteTopLevelNamespace(g.text, ns);
        const ident = readFlowIdentity(source);
        let problems = ident.identity ? (await ctx.flows.validate(source)).map((pr) => `${g.path}${pr.line ? `:${pr.line}` : ''}: ${pr.message}`) : [`${g.path}${ident.problem?.line ? `:${ident.problem.line}` : ''}: ${ident.problem?.message}`];
        if (ident.identity && ident.identity.id !== id) problems = [...problems, `${g.path}: the file name must be the flow id ('${ident.identity.id}')`];
        if (problems.length > 0) {
          if (s.onInvalid === 'FAIL') invalid.push(...problems);
          else if (s.onInvalid === 'WARN') ctx.logger.warn(`Skipping invalid flow: ${problems.join('; ')}`);
          else ctx.logger.info(`Skipping invalid flow: ${problems.join('; ')}`);
          continue;
        }
        const k = kes.flows.get(id);
        state.objects.push({ kind: 'FLOW', namespace: ns, key: id, gitPath: g.path, hash: sha256(normalizeText(source)) });
        state.snapshot[`${ns}/${id}`] = source;
        if (k && normalizeText(k.text) === normalizeText(source)) continue;
        lines.push({ file: g.path, key: `${ns}:${id}`, kind: 'FLOW', action: k ? 'UPDATED_KES' : 'ADDED' });
        flowSaves.push({ path: g.path, source });
      }
      for (const [path, g] of git.files) {
        const k = kes.files.get(path);
        state.objects.push({ kind: 'FILE', namespace: ns, key: path, gitPath: g.path, hash: sha256(g.bytes) });
        if (k && sameBytes(k.bytes, g.bytes)) continue;
        lines.push({ file: g.path, key: `${ns}:${path}`, kind: 'FILE', action: k ? 'UPDATED_KES' : 'ADDED' });
        ops.push(async () => {
          await ctx.namespaceFiles.put(ns, path, g.bytes);
        });
      }
      if (s.includeKv) {
        for (const [key, g] of git.kv) {
          const k = kes.kv.get(key);
          if (k && normalizeText(k.text) === normalizeText(g.text)) continue;
          const entry = parseKvDocument(g.text);
          if (!entry) {
            const problem = `${g.path}: not a KV document ({"type": ..., "value": ...})`;
            if (s.onInvalid === 'FAIL') invalid.push(problem);
            else ctx.logger.warn(`Skipping invalid KV entry: ${problem}`);
            continue;
          }
          const ttlSeconds = entry.expirationDate ? Math.floor((Date.parse(entry.expirationDate) - ctx.now().getTime()) / 1000) : undefined;
          if (ttlSeconds !== undefined && ttlSeconds <= 0) continue;
          lines.push({ file: g.path, key: `${ns}:${key}`, kind: 'KV', action: k ? 'UPDATED_KES' : 'ADDED' });
          ops.push(async () => {
            await ctx.kv.set(key, entry.value, { namespace: ns, type: entry.type, ...(ttlSeconds !== undefined ? { ttl: `PT${ttlSeconds}S` } : {}) });
          });
        }
      }
      const missing = [
        ...[...kes.flows.keys()].filter((id) => !git.flows.has(id)).map((id) => ({ kind: 'FLOW' as const, key: id })),
        ...[...kes.files.keys()].filter((path) => !git.files.has(path)).map((path) => ({ kind: 'FILE' as const, key: path })),
        ...(s.includeKv ? [...kes.kv.keys()].filter((key) => !git.kv.has(key)).map((key) => ({ kind: 'KV' as const, key })) : []),
      ];
      for (const m of missing) {
        if (s.whenMissing === 'FAIL') throw TaskFailure.nonRetryable(`${m.kind} '${ns}:${m.key}' is in Windhover but not in Git, and whenMissingInSource is FAIL: nothing was changed`);
        if (s.whenMissing === 'KEEP' || isProtected(ns, s.protectedNamespaces)) continue;
        if (m.kind === 'FLOW' && isRunningFlow(ctx, ns, m.key)) continue;
        deletions++;
        const file =
          m.kind === 'FLOW'
            ? joinRepoPath(s.gitDirectory, ns, 'flows', `${m.key}.yaml`)
            : m.kind === 'KV'
              ? joinRepoPath(s.gitDirectory, ns, 'kv', `${m.key}.json`)
              : joinRepoPath(s.gitDirectory, ns, 'files', m.key);
        lines.push({ file, key: `${ns}:${m.key}`, kind: m.kind, action: 'DELETED_KES' });
        if (m.kind === 'FLOW') flowDeletes.push({ namespace: ns, id: m.key });
        else
          ops.push(async () => {
            if (m.kind === 'KV') await ctx.kv.delete(m.key, ns);
            else await ctx.namespaceFiles.delete(ns, m.key);
          });
      }
    }
    // A subflow cycle is not a syntax problem of one file (skipping one flow of it would leave the other half): it always fails.
    const plans = flowSaves.length > 0 ? await ctx.flows.plan(flowSaves.map((f) => f.source), { deleting: flowDeletes }) : [];
    for (const [i, plan] of plans.entries()) {
      for (const pr of plan.problems) invalid.push(`${flowSaves[i]?.path}: ${pr.path ? `${pr.path}: ` : ''}${pr.message}`);
    }
    if (invalid.length > 0) {
      throw TaskFailure.nonRetryable(`Invalid flows in Git, nothing was applied:\n${invalid.map((i) => `  - ${i}`).join('\n')}`);
    }
    if (sourceObjects === 0 && deletions > 0 && !s.allowEmpty) {
      throw TaskFailure.nonRetryable(
        `Refusing to delete ${deletions} object(s) from Windhover: the Git source (branch '${s.branch}', directory '${s.gitDirectory || '.'}') is empty. Set allowEmpty: true to prune anyway`,
      );
    }
    if (!s.dryRun) {
      if (flowSaves.length > 0 || flowDeletes.length > 0) await ctx.flows.saveAll(flowSaves.map((f) => f.source), { deleting: flowDeletes });
      for (const op of ops) await op();
      for (const [ns, state] of perNamespace) {
        const key = syncStateKey(task.type, s.conn.url, s.branch, s.gitDirectory, ns);
        const snapshotUri = await ctx.storage.putFile(`gitops-snapshot-${ns}.json`, encoder.encode(JSON.stringify(state.snapshot)));
        const record: SyncStateRecord = {
          type: task.type,
          url: s.conn.url,
          branch: s.branch,
          gitDirectory: joinRepoPath(s.gitDirectory, ns),
          namespace: ns,
          includeChildNamespaces: false,
          configHash: sha256(JSON.stringify(s.whenMissing)),
          lastSyncedCommit: head,
          lastSyncedAt: ctx.now().toISOString(),
          lastAttemptAt: ctx.now().toISOString(),
          lastResult: 'SUCCESS',
          executionId: ctx.executionId,
          flowId: ctx.flowId,
          flowNamespace: ctx.namespace,
          snapshotUri,
          objects: state.objects,
        };
        await writeSyncState(ctx, ns, key, record);
      }
    }
    lines.sort((a, b) => (a.file < b.file ? -1 : 1));
    ctx.logger.info(`${s.dryRun ? 'Dry run: ' : ''}${lines.length} change(s) from Git ${head.slice(0, 12)} across ${namespaces.length} namespace(s)`);
    return { outputs: { diff: await writeIonOutput(ctx, 'diff', lines), commitId: head, commitURL: null } };
  } finally {
    await repo?.dispose();
  }
}
