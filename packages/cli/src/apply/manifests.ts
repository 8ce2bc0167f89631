import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { type Document, LineCounter, isScalar, parseAllDocuments } from 'yaml';
import { lineOfSegments, pathSegments } from '../yaml-locations';

export const MANIFEST_API_VERSION = 'model.kestra.io/v1alpha1';
export const MANIFEST_KINDS = ['KestraFlow', 'KestraKeyValue', 'KestraNamespaceFile'] as const;
export type ManifestKind = (typeof MANIFEST_KINDS)[number];

/** A Kestra Kubernetes-operator resource (apiVersion model.kestra.io/v1alpha1), as `kubectl apply` reads it. */
export type Manifest =
  | { kind: 'KestraFlow'; name: string; tenant?: string; namespace: string; id: string; source: string }
  | { kind: 'KestraKeyValue'; name: string; tenant?: string; namespace: string; key: string; value: string; type?: string; ttl?: string }
  | { kind: 'KestraNamespaceFile'; name: string; tenant?: string; namespace: string; filename: string; content: string };

/** Where a manifest was read: the file, its document (0-based) and lines. */
export interface ManifestLocation {
  readonly file: string;
  readonly index: number;
  /** Line of the document's first node. */
  readonly line: number;
  /** For a KestraFlow: file line of the first line of `spec.source` when it is a block scalar (`|`), else undefined. */
  readonly sourceFirstLine?: number;
  /** For a KestraFlow: line of `spec.source` itself. */
  readonly sourceLine?: number;
  /** Line of a property of the document (`spec.value`), for later problems. */
  lineOf(path: string): number;
}

export interface LocatedManifest {
  readonly manifest: Manifest;
  readonly at: ManifestLocation;
}

/** `file#doc: message (file:line)`: the document index as kubectl counts it, and a clickable file:line. */
export function problemAt(at: { file: string; index: number }, line: number | undefined, message: string): string {
  return `${at.file}#${at.index + 1}: ${message}${line !== undefined ? ` (${at.file}:${line})` : ''}`;
}

const scalar = { type: ['string', 'number', 'boolean'] };
const nonEmpty = { type: 'string', minLength: 1 };
const common = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: MANIFEST_API_VERSION },
    kind: { enum: [...MANIFEST_KINDS] },
    metadata: { type: 'object', required: ['name'], properties: { name: nonEmpty } },
    status: { type: 'object' },
  },
};
const spec = (required: readonly string[], properties: Record<string, unknown>) => ({
  ...common,
  properties: {
    ...common.properties,
    spec: { type: 'object', required, additionalProperties: false, properties: { tenant: nonEmpty, namespace: nonEmpty, ...properties } },
  },
});

/** JSON schemas of the operator's CRDs (spec fields as in the kestra-operator chart). */
export const MANIFEST_SCHEMAS: Readonly<Record<ManifestKind, object>> = {
  KestraFlow: spec(['id', 'namespace', 'source'], { id: nonEmpty, source: nonEmpty }),
  KestraKeyValue: spec(['namespace', 'key', 'value'], {
    key: nonEmpty,
    value: scalar,
    type: { enum: ['STRING', 'NUMBER', 'BOOLEAN', 'DATETIME', 'DATE', 'DURATION', 'JSON', 'string', 'number', 'boolean', 'datetime', 'date', 'duration', 'json'] },
    ttl: nonEmpty,
  }),
  KestraNamespaceFile: spec(['namespace', 'filename', 'content'], { filename: nonEmpty, content: { type: 'string' } }),
};

let compiled: Record<ManifestKind, ValidateFunction> | undefined;
function validators(): Record<ManifestKind, ValidateFunction> {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    compiled = {
      KestraFlow: ajv.compile(MANIFEST_SCHEMAS.KestraFlow),
      KestraKeyValue: ajv.compile(MANIFEST_SCHEMAS.KestraKeyValue),
      KestraNamespaceFile: ajv.compile(MANIFEST_SCHEMAS.KestraNamespaceFile),
    };
  }
  return compiled;
}

/** A readable message for an ajv error, and the path whose line it points at. */
function describe(e: ErrorObject): { path: string; message: string } {
  const path = pathSegments(e.instancePath).join('.');
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path, message: `${path ? `${path}.` : ''}${String(params['missingProperty'])} is required` };
    case 'additionalProperties':
      return { path: `${path}.${String(params['additionalProperty'])}`, message: `${path} has an unknown property '${String(params['additionalProperty'])}'` };
    case 'const':
      return { path, message: `${path} must be ${String(params['allowedValue'])}` };
    case 'enum':
      return { path, message: `${path} must be one of ${(params['allowedValues'] as unknown[]).filter((v) => String(v) === String(v).toUpperCase()).join(', ')}` };
    case 'minLength':
      return { path, message: `${path} must not be empty` };
    default:
      return { path, message: `${path || 'document'} ${e.message ?? 'is invalid'}` };
  }
}

const text = (v: unknown): string => (typeof v === 'string' ? v : String(v));

/** Reads and checks one manifest document; problems are returned, not thrown, so that every file is checked. */
export function checkManifest(value: unknown, at: ManifestLocation): { manifest?: Manifest; problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problems: [problemAt(at, at.line, 'not a YAML map')] };
  const kind = (value as { kind?: unknown }).kind;
  if (!MANIFEST_KINDS.includes(kind as ManifestKind)) {
    return { problems: [problemAt(at, at.lineOf('kind'), `unknown kind '${String(kind)}' (${MANIFEST_KINDS.join(', ')})`)] };
  }
  const validate = validators()[kind as ManifestKind];
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => {
      const d = describe(e);
      return problemAt(at, at.lineOf(d.path), d.message);
    });
    return { problems: [...new Set(problems)] };
  }
  const d = value as { metadata: { name: string }; spec: Record<string, unknown> };
  const s = d.spec;
  const name = d.metadata.name;
  const tenant = s['tenant'] === undefined ? {} : { tenant: text(s['tenant']) };
  const namespace = text(s['namespace']);
  switch (kind as ManifestKind) {
    case 'KestraFlow': {
      const id = text(s['id']);
      const source = text(s['source']);
      const problems: string[] = [];
      // The operator's docs: id and namespace must be set both in spec and inside source.
      const srcId = /^id:[ \t]*["']?([^"'\s#]+)/m.exec(source)?.[1];
      const srcNs = /^namespace:[ \t]*["']?([^"'\s#]+)/m.exec(source)?.[1];
      if (srcId !== id) problems.push(problemAt(at, at.lineOf('spec.id'), `spec.id '${id}' differs from the id in spec.source ('${srcId ?? 'none'}')`));
      if (srcNs !== namespace) problems.push(problemAt(at, at.lineOf('spec.namespace'), `spec.namespace '${namespace}' differs from the namespace in spec.source ('${srcNs ?? 'none'}')`));
      return { manifest: { kind: 'KestraFlow', name, namespace, id, source, ...tenant }, problems };
    }
    case 'KestraKeyValue': {
      const type = s['type'] === undefined ? {} : { type: text(s['type']).toUpperCase() };
      const ttl = s['ttl'] === undefined ? {} : { ttl: text(s['ttl']) };
      return { manifest: { kind: 'KestraKeyValue', name, namespace, key: text(s['key']), value: text(s['value']), ...type, ...ttl, ...tenant }, problems: [] };
    }
    case 'KestraNamespaceFile':
      return { manifest: { kind: 'KestraNamespaceFile', name, namespace, filename: text(s['filename']), content: text(s['content']), ...tenant }, problems: [] };
  }
}

/** `.yaml`/`.yml` files of a file or folder, recursively and sorted; hidden files and folders are skipped. */
export function yamlFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => !f.startsWith('.'))
    .sort()
    .flatMap((f) => {
      const full = join(path, f);
      return statSync(full).isDirectory() ? yamlFiles(full) : /\.ya?ml$/i.test(f) ? [full] : [];
    });
}

function locate(file: string, index: number, doc: Document.Parsed, lines: LineCounter): ManifestLocation {
  const lineOf = (path: string): number => lineOfSegments(doc, lines, pathSegments(path)) ?? 1;
  const src = doc.getIn(['spec', 'source'], true);
  let sourceFirstLine: number | undefined;
  let sourceLine: number | undefined;
  if (isScalar(src) && src.range) {
    sourceLine = lines.linePos(src.range[0]).line;
    // A literal block (`|`) keeps its lines: source line k is file line (indicator line + k).
    if (src.type === 'BLOCK_LITERAL') sourceFirstLine = sourceLine + 1;
  }
  return { file, index, line: lineOf(''), lineOf, ...(sourceFirstLine !== undefined ? { sourceFirstLine } : {}), ...(sourceLine !== undefined ? { sourceLine } : {}) };
}

/** Reads every manifest of the given files and folders; returns them with every problem found (nothing is thrown). */
export function readManifests(roots: readonly string[]): { manifests: LocatedManifest[]; problems: string[] } {
  const manifests: LocatedManifest[] = [];
  const problems: string[] = [];
  for (const root of roots) {
    let files: string[];
    try {
      files = yamlFiles(root);
    } catch {
      problems.push(`${root}: not found`);
      continue;
    }
    for (const file of files) {
      const lines = new LineCounter();
      const docs = parseAllDocuments(readFileSync(file, 'utf8'), { lineCounter: lines });
      for (const [index, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
        const at = { file, index };
        if (doc.errors.length > 0) {
          for (const e of doc.errors) problems.push(problemAt(at, e.linePos?.[0]?.line, e.message.split('\n')[0] ?? 'YAML error'));
          continue;
        }
        const value: unknown = doc.toJS();
        if (value === null || value === undefined) continue;
        const r = checkManifest(value, locate(file, index, doc, lines));
        problems.push(...r.problems);
        if (r.manifest && r.problems.length === 0) manifests.push({ manifest: r.manifest, at: locate(file, index, doc, lines) });
      }
    }
  }
  return { manifests, problems };
}
