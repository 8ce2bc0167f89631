import { createHash } from 'node:crypto';
import { LineCounter, parseDocument } from 'yaml';
import { escapeRegExp } from './globs';

/**
 * Source comparison as plugin-git does it (the fix of plugin-git#333): CRLF to LF,
 * `revision: N` lines removed, surrounding whitespace trimmed.
 */
export function normalizeFlowSource(source: string): string {
  return source
    .replace(/\r\n?/g, '\n')
    .replace(/^revision:[ \t]*\d+[ \t]*(\n|$)/gm, '')
    .trim();
}

/** Text comparison used by NamespaceSync/TenantSync (CRLF to LF, trimmed). */
export function normalizeText(source: string): string {
  return source.replace(/\r\n?/g, '\n').trim();
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Rewrites the flow's top-level `namespace:` line (SyncFlows/SyncFlow). Kestra's regex
 * only accepts exactly one space; any spacing is accepted here. A flow with no
 * namespace line gets one, so it lands in the target namespace instead of failing.
 */
export function rewriteTopLevelNamespace(source: string, namespace: string): string {
  const re = /^namespace:[ \t]*.*$/m;
  if (re.test(source)) return source.replace(re, `namespace: ${namespace}`).replace(/[ \t]+$/gm, '');
  return `namespace: ${namespace}\n${source}`;
}

/**
 * PushFlows' namespace conversion, without Kestra's prefix bug (plugin-git rewrites
 * `devops` when converting `dev`): every `namespace:` key whose value is the source
 * namespace or one of its children is rewritten, so Subflow and Flow-trigger
 * references keep pointing inside the converted tree.
 */
export function rewriteNamespaceReferences(source: string, from: string, to: string): string {
  if (from === to) return source;
  const re = new RegExp(`^(\\s*-?\\s*namespace:[ \\t]*)(["']?)${escapeRegExp(from)}(?=\\2(?:[.\\s]|$))`, 'gm');
  return source.replace(re, (_m, prefix: string, quote: string) => `${prefix}${quote}${to}`);
}

/** Strips `revision: N` lines, as PushFlows writes sources. */
export function stripRevision(source: string): string {
  return source.replace(/^revision:[ \t]*\d+[ \t]*\n?/gm, '');
}

export interface FlowIdentity {
  readonly id: string;
  readonly namespace: string;
}

export interface SourceProblem {
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** Reads `id` and `namespace` from a flow source; problems carry their line. */
export function readFlowIdentity(source: string): { identity?: FlowIdentity; problem?: SourceProblem } {
  // Fast path for the common shape (plain top-level scalars); anything else goes through the YAML parser.
  // Validation (TaskFlows.validate) still parses the whole document afterwards.
  const idLine = /^id:[ \t]*([A-Za-z0-9][A-Za-z0-9._-]*)[ \t]*$/m.exec(source);
  const nsLine = /^namespace:[ \t]*([a-z0-9][a-z0-9._-]*)[ \t]*$/m.exec(source);
  if (idLine && nsLine) return { identity: { id: idLine[1], namespace: nsLine[1] } };
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.pos ? lineCounter.linePos(e.pos[0]) : undefined;
    return { problem: { message: e.message.split('\n')[0], line: pos?.line, column: pos?.col } };
  }
  const value: unknown = doc.toJS();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: { message: 'a flow must be a YAML map', line: 1 } };
  }
  const { id, namespace } = value as { id?: unknown; namespace?: unknown };
  if (typeof id !== 'string' || id === '') return { problem: { message: "missing or invalid 'id'", line: 1 } };
  if (typeof namespace !== 'string' || namespace === '') return { problem: { message: "missing or invalid 'namespace'", line: 1 } };
  return { identity: { id, namespace } };
}

/** `target` plus the folder path under the sync root, `/` becoming `.` (SyncFlows' child namespaces). */
export function namespaceOfFolder(targetNamespace: string, relativeDir: string): string {
  const suffix = relativeDir.split('/').filter(Boolean).join('.');
  return suffix ? `${targetNamespace}.${suffix}` : targetNamespace;
}

/** Folder of a child namespace under a push root: `dev.tutorial` under `dev` → `tutorial`. */
export function folderOfNamespace(rootNamespace: string, namespace: string): string {
  if (namespace === rootNamespace) return '';
  return namespace.slice(rootNamespace.length + 1).split('.').join('/');
}

/** Joins repository path segments, dropping empty and `.` segments. */
export function joinRepoPath(...parts: readonly string[]): string {
  return parts
    .flatMap((p) => p.split('/'))
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/** A repository directory in canonical form (`''` for the root). */
export function cleanDirectory(dir: string | undefined): string {
  return joinRepoPath(dir ?? '');
}

export function isInNamespaceTree(namespace: string, root: string): boolean {
  return namespace === root || namespace.startsWith(`${root}.`);
}
