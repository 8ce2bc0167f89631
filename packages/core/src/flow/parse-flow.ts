import type { Violation } from '../errors';
import type { Flow, PluginDefault } from '../model/flow';
import type { PluginRegistry } from '../plugins/plugin-registry';
import { checkRawSource } from './flow-limits';
import { COMMON_BY_KIND } from './flow-schema';
import { checkFlowRules, type RawViolation } from './flow-rules';
import { applyPluginDefaults } from './plugin-defaults';
import { findPluginInstances } from './plugin-walker';
import { formatPath } from './property-path';
import { schemaViolations } from './schema-validator';
import { parseYamlDocuments, type YamlDocument } from './yaml-source';

export interface FlowValidationOptions {
  readonly registry: PluginRegistry;
  /** Added to every violation (CLI output, Git import messages). */
  readonly fileName?: string;
  /** Global plugin defaults (server configuration), applied with the flow's own before validating. */
  readonly globalPluginDefaults?: readonly PluginDefault[];
  /**
   * Message for a type the registry lacks but the caller knows (a Kestra type
   * Windhover does not run yet); undefined falls back to "unknown type" with close matches.
   */
  readonly unsupportedType?: (type: string) => string | undefined;
}

export type ParseFlowResult =
  | { readonly ok: true; readonly flow: Flow; readonly source: string }
  | { readonly ok: false; readonly violations: readonly Violation[] };

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Parses and validates one flow. The source is kept verbatim (comments
 * included); every violation carries a property path and a line/column.
 * A source with several YAML documents is refused: use `validateMultiDocument`.
 *
 * @example
 * const r = parseFlow(yaml, { registry, fileName: 'hello.yml' });
 * if (!r.ok) for (const v of r.violations) console.log(`${v.file}:${v.line}:${v.column}: ${v.message} (${v.path})`);
 */
export function parseFlow(input: string | Uint8Array, options: FlowValidationOptions): ParseFlowResult {
  const raw = checkRawSource(input);
  if ('error' in raw) return { ok: false, violations: [withFile({ message: raw.error, line: 1, column: 1 }, options.fileName)] };
  const docs = nonEmptyDocuments(parseYamlDocuments(raw.source));
  if (docs.length > 1) {
    const second = docs[1].locate([]);
    return {
      ok: false,
      violations: [withFile({ message: `source contains ${docs.length} YAML documents; a flow is one document`, ...second }, options.fileName)],
    };
  }
  const violations = validateDocument(docs[0], options);
  if (violations.length > 0) return { ok: false, violations };
  return { ok: true, flow: docs[0].value as Flow, source: raw.source };
}

/** The violations of one flow source (empty when valid). */
export function validateFlowSource(input: string | Uint8Array, options: FlowValidationOptions): readonly Violation[] {
  const r = parseFlow(input, options);
  return r.ok ? [] : r.violations;
}

/** One document's result, in the shape of Kestra's `POST /api/v1/{tenant}/flows/validate` answer (plus located violations). */
export interface FlowValidationResult {
  /** 0-based index of the document in the source. */
  readonly index: number;
  /** The file name given in the options, if any. */
  readonly filename: string | null;
  readonly flow: string | null;
  readonly namespace: string | null;
  /** Kestra's `constraints`: every problem on its own line (`path: message`), or null when valid. */
  readonly constraints: string | null;
  /** The sent `revision` is not the next revision of the stored flow. */
  readonly outdated: boolean;
  /** Paths of deprecated properties and type aliases. */
  readonly deprecationPaths: readonly string[];
  readonly warnings: readonly string[];
  readonly infos: readonly string[];
  readonly violations: readonly Violation[];
  /** The document's own source. */
  readonly source: string;
}

/**
 * Validates every document of a multi-document YAML source (`---`) and
 * reports each one with its index, as Kestra's `/flows/validate` does.
 * `latestRevision` (optional) looks up the stored revision to compute `outdated`.
 */
export function validateMultiDocument(
  input: string | Uint8Array,
  options: FlowValidationOptions & { latestRevision?: (namespace: string, id: string) => number | undefined },
): FlowValidationResult[] {
  const raw = checkRawSource(input);
  if ('error' in raw) {
    const violations = [withFile({ message: raw.error, line: 1, column: 1 }, options.fileName)];
    return [result(0, undefined, violations, '', options)];
  }
  const docs = nonEmptyDocuments(parseYamlDocuments(raw.source));
  return docs.map((doc) => {
    const violations = validateDocument(doc, options);
    const located = docs.length > 1 ? violations.map((v) => ({ ...v, message: `document ${doc.index + 1} of ${docs.length}: ${v.message}` })) : violations;
    return result(doc.index, doc, located, doc.source, options);
  });
}

function result(
  index: number,
  doc: YamlDocument | undefined,
  violations: readonly Violation[],
  source: string,
  options: { registry: PluginRegistry; fileName?: string; latestRevision?: (namespace: string, id: string) => number | undefined },
): FlowValidationResult {
  const value = isObject(doc?.value) ? doc.value : {};
  const flow = typeof value.id === 'string' ? value.id : null;
  const namespace = typeof value.namespace === 'string' ? value.namespace : null;
  const { deprecationPaths, warnings } = deprecations(value, options.registry);
  let outdated = false;
  if (flow && namespace && options.latestRevision && typeof value.revision === 'number') {
    const latest = options.latestRevision(namespace, flow);
    // Kestra: a document whose revision is not the next one was edited from an outdated copy.
    outdated = latest !== undefined && value.revision !== latest + 1;
  }
  return {
    index,
    filename: options.fileName ?? null,
    flow,
    namespace,
    constraints: violations.length ? violations.map((v) => (v.path ? `${v.path}: ${v.message}` : v.message)).join('\n') : null,
    outdated,
    deprecationPaths,
    warnings,
    infos: [],
    violations,
    source,
  };
}

/** Drops empty documents (a trailing `---`, comment-only parts) unless nothing else is left. */
function nonEmptyDocuments(docs: YamlDocument[]): YamlDocument[] {
  const kept = docs.filter((d) => !d.empty || d.errors.length > 0);
  return kept.length > 0 ? kept : docs.slice(0, 1);
}

function validateDocument(doc: YamlDocument, options: FlowValidationOptions): Violation[] {
  const locate = (v: RawViolation): Violation =>
    withFile({ message: v.message, path: formatPath(v.path), ...doc.locate(v.path, v.key) }, options.fileName);
  if (doc.errors.length > 0) return doc.errors.map((e) => withFile(e, options.fileName));
  if (doc.empty || doc.value === undefined || doc.value === null) {
    return [locate({ path: [], message: 'empty flow source: the document has no content, so `id`, `namespace` and `tasks` are all missing' })];
  }
  if (!isObject(doc.value)) {
    return [locate({ path: [], message: `a flow must be a mapping with \`id\`, \`namespace\` and \`tasks\`, got ${Array.isArray(doc.value) ? 'a list' : `a ${typeof doc.value}`}` })];
  }
  const flow = doc.value;
  const withDefaults = applyFlowDefaults(flow, options);
  const instances = findPluginInstances(withDefaults, options.registry);
  const raw = [...schemaViolations(withDefaults, instances), ...checkFlowRules(withDefaults, instances, options.registry, options.unsupportedType)];
  return dedupe(raw).map(locate).sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** A copy of the flow where flow-level and global plugin defaults fill the properties each plugin declares (Kestra validates with defaults injected). */
function applyFlowDefaults(flow: Obj, options: FlowValidationOptions): Obj {
  const flowDefaults = [flow.pluginDefaults, flow.taskDefaults].flatMap((d) => (Array.isArray(d) ? d.filter(isDefault) : []));
  const global = options.globalPluginDefaults ?? [];
  if (flowDefaults.length === 0 && global.length === 0) return flow;
  const copy = structuredClone(flow);
  for (const inst of findPluginInstances(copy, options.registry)) {
    if (!inst.descriptor) continue;
    // Defaults may set common properties too (`type: io.kestra` with a `retry` is Kestra's global retry).
    const declared = { ...COMMON_BY_KIND[inst.descriptor.kind], ...((inst.descriptor.schema.properties ?? {}) as Obj) };
    const applied = applyPluginDefaults(inst.value as { type: string }, flowDefaults, global, {
      aliases: [inst.descriptor.type, ...(inst.descriptor.aliases ?? [])],
      filter: (k) => k in declared,
    });
    Object.assign(inst.value, applied);
  }
  return copy;
}

function isDefault(d: unknown): d is PluginDefault {
  return isObject(d) && typeof d.type === 'string';
}

function deprecations(flow: Obj, registry: PluginRegistry): { deprecationPaths: string[]; warnings: string[] } {
  const deprecationPaths: string[] = [];
  const warnings: string[] = [];
  if (flow.taskDefaults !== undefined) {
    deprecationPaths.push('taskDefaults');
    warnings.push('`taskDefaults` is deprecated: use `pluginDefaults`');
  }
  for (const inst of findPluginInstances(flow, registry)) {
    if (!inst.descriptor) continue;
    if (inst.value.type !== inst.descriptor.type) {
      deprecationPaths.push(formatPath([...inst.path, 'type']));
      warnings.push(`\`${String(inst.value.type)}\` is a deprecated alias of \`${inst.descriptor.type}\``);
    }
    // Properties a plugin documents as deprecated.
    const props = (inst.descriptor.schema.properties ?? {}) as Record<string, { description?: unknown }>;
    for (const k of Object.keys(inst.value)) {
      const d = props[k]?.description;
      if (typeof d === 'string' && d.startsWith('Deprecated')) deprecationPaths.push(formatPath([...inst.path, k]));
    }
  }
  if (Array.isArray(flow.inputs)) {
    flow.inputs.forEach((input, i) => {
      if (!isObject(input)) return;
      if (input.name !== undefined) deprecationPaths.push(formatPath(['inputs', i, 'name']));
      if (input.type === 'BOOLEAN') deprecationPaths.push(formatPath(['inputs', i, 'type']));
    });
  }
  return { deprecationPaths, warnings };
}

function dedupe(list: RawViolation[]): RawViolation[] {
  const seen = new Set<string>();
  return list.filter((v) => {
    const k = `${v.path.join('/')}|${v.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function withFile(v: Violation, file: string | undefined): Violation {
  return file ? { ...v, file } : v;
}
