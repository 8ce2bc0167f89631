import { coerceKvValue, isWindhoverError } from '@windhover/core';
import { normalizeSource } from '@windhover/runtime';
import type { ApiClient } from '../api-client';
import { lineInSource, splitConstraint } from '../yaml-locations';
import { type LocatedManifest, type Manifest, type ManifestKind, problemAt } from './manifests';

/** One resource of a Windhover server that `windhover apply` manages. */
export interface ResourceRef {
  readonly kind: ManifestKind;
  readonly tenant: string;
  readonly namespace: string;
  /** Flow id, KV key or namespace file path (`/scripts/etl.py`). */
  readonly id: string;
  /** metadata.name of the manifest that created it (for messages). */
  readonly name: string;
}

export type Action = 'create' | 'update' | 'unchanged' | 'delete';

export interface PlannedChange {
  readonly ref: ResourceRef;
  readonly action: Action;
  /** Carries out the change (not called for `unchanged` or in a dry run). */
  readonly run: () => Promise<void>;
  /** For an update: the deployed text and the new one (for `--diff`). */
  readonly diff?: { readonly before: string; readonly after: string };
}

/**
 * The inventory of an apply set: which resources earlier runs of `windhover apply`
 * created, so that `--prune` deletes exactly those no longer in the manifests
 * (kubectl's ApplySet idea). Stored as a JSON KV entry of the `system` namespace,
 * key `windhover-apply.<set>`, in the tenant of the connection.
 */
export const INVENTORY_NAMESPACE = 'system';
export const inventoryKey = (set: string): string => `windhover-apply.${set}`;

export const refKey = (r: Pick<ResourceRef, 'kind' | 'tenant' | 'namespace' | 'id'>): string => `${r.kind}|${r.tenant}|${r.namespace}|${r.id}`;

export function refOf(m: Manifest, defaultTenant: string): ResourceRef {
  const id = m.kind === 'KestraFlow' ? m.id : m.kind === 'KestraKeyValue' ? m.key : nsFilePath(m.filename);
  return { kind: m.kind, tenant: m.tenant ?? defaultTenant, namespace: m.namespace, id, name: m.name };
}

export const nsFilePath = (filename: string): string => `/${filename.replace(/\\/g, '/').replace(/^\/+/, '')}`;

/** Canonical JSON (sorted keys) so that two equal JSON values compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * The body of `PUT /kv/{key}` and the `{type, value}` the server stores for a manifest
 * value: NUMBER, BOOLEAN and JSON as JSON literals, DATETIME and DATE unquoted (Kestra's
 * API types them from the body), STRING and DURATION as JSON strings (Kestra's API has
 * no duration literal, so a DURATION is stored as its canonical ISO-8601 text).
 */
export function kvWrite(m: Extract<Manifest, { kind: 'KestraKeyValue' }>): { body: string; stored: { type: string; value: unknown } } {
  const { type, value } = coerceKvValue(m.type === undefined ? 'STRING' : (m.type as Parameters<typeof coerceKvValue>[0]), m.value);
  switch (type) {
    case 'DATETIME':
    case 'DATE':
      return { body: String(value), stored: { type, value } };
    case 'DURATION':
      return { body: JSON.stringify(value), stored: { type: 'STRING', value } };
    default:
      return { body: JSON.stringify(value), stored: { type, value } };
  }
}

/** Problems found before any call to the server: duplicates and KV values that do not fit their type. */
export function localProblems(manifests: readonly LocatedManifest[], defaultTenant: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, LocatedManifest>();
  for (const lm of manifests) {
    const key = refKey(refOf(lm.manifest, defaultTenant));
    const first = seen.get(key);
    if (first) problems.push(problemAt(lm.at, lm.at.line, `${lm.manifest.kind} '${refOf(lm.manifest, defaultTenant).id}' of namespace '${lm.manifest.namespace}' is already defined in ${first.at.file}#${first.at.index + 1}`));
    else seen.set(key, lm);
    if (lm.manifest.kind === 'KestraKeyValue') {
      try {
        kvWrite(lm.manifest);
      } catch (e) {
        problems.push(problemAt(lm.at, lm.at.lineOf('spec.value'), `spec.value: ${e instanceof Error ? e.message : String(e)}`));
      }
    }
  }
  return problems;
}

/** Validates every KestraFlow through the server's `POST /flows/validate`; every constraint becomes a problem with its file line. */
export async function flowProblems(api: ApiClient, manifests: readonly LocatedManifest[], defaultTenant: string): Promise<string[]> {
  const flows = manifests.filter((lm) => lm.manifest.kind === 'KestraFlow');
  const byTenant = new Map<string, LocatedManifest[]>();
  for (const lm of flows) {
    const t = lm.manifest.tenant ?? defaultTenant;
    byTenant.set(t, [...(byTenant.get(t) ?? []), lm]);
  }
  const problems: string[] = [];
  for (const [tenant, group] of byTenant) {
    const sources = group.map((lm) => (lm.manifest as Extract<Manifest, { kind: 'KestraFlow' }>).source);
    const results = await api.validateFlows(sources, tenant);
    for (const [i, lm] of group.entries()) {
      const constraints = results.find((r) => r.index === i)?.constraints;
      if (!constraints) continue;
      for (const c of constraints.split('\n').filter((l) => l.trim() !== '')) {
        const { path, message } = splitConstraint(c);
        const inSource = lineInSource(sources[i] as string, path);
        const line = lm.at.sourceFirstLine !== undefined && inSource !== undefined ? lm.at.sourceFirstLine + inSource - 1 : lm.at.sourceLine;
        problems.push(problemAt(lm.at, line, `invalid flow: ${path ? `${path}: ` : ''}${message}`));
      }
    }
  }
  return problems;
}

/** Compares one manifest with the server and returns what applying it would do. */
export async function planManifest(api: ApiClient, m: Manifest, defaultTenant: string): Promise<PlannedChange> {
  const ref = refOf(m, defaultTenant);
  const t = ref.tenant;
  if (m.kind === 'KestraFlow') {
    const current = await api.getFlow(m.namespace, m.id, t);
    if (!current) return { ref, action: 'create', run: async () => void (await api.createFlow(m.source, t)) };
    if (normalizeSource(current.source ?? '') === normalizeSource(m.source)) return { ref, action: 'unchanged', run: async () => {} };
    return { ref, action: 'update', run: async () => void (await api.updateFlow(m.namespace, m.id, m.source, t)), diff: { before: current.source ?? '', after: m.source } };
  }
  if (m.kind === 'KestraKeyValue') {
    const { body, stored } = kvWrite(m);
    const current = await api.getKv(m.namespace, m.key, t);
    const run = () => api.putKv(m.namespace, m.key, body, { ...(m.ttl ? { ttl: m.ttl } : {}), tenant: t });
    // A TTL is a time from now: re-applying it always refreshes the expiry.
    if (current && !m.ttl && current.type === stored.type && canonical(current.value) === canonical(stored.value)) return { ref, action: 'unchanged', run: async () => {} };
    if (!current) return { ref, action: 'create', run };
    const show = (v: { type: string; value: unknown }): string => `type: ${v.type}\nvalue: ${JSON.stringify(v.value)}`;
    return { ref, action: 'update', run, diff: { before: show(current), after: show(stored) } };
  }
  const current = await api.getNamespaceFile(m.namespace, ref.id, t);
  if (current === m.content) return { ref, action: 'unchanged', run: async () => {} };
  const run = () => api.putNamespaceFile(m.namespace, ref.id, m.content, t);
  return current === undefined ? { ref, action: 'create', run } : { ref, action: 'update', run, diff: { before: current, after: m.content } };
}

/** Whether a resource still exists on the server (pruning skips those already gone). */
async function exists(api: ApiClient, r: ResourceRef): Promise<boolean> {
  if (r.kind === 'KestraFlow') return (await api.getFlow(r.namespace, r.id, r.tenant)) !== undefined;
  if (r.kind === 'KestraKeyValue') return (await api.getKv(r.namespace, r.id, r.tenant)) !== undefined;
  return (await api.getNamespaceFile(r.namespace, r.id, r.tenant)) !== undefined;
}

/** The deletions of `--prune`: resources of the inventory that the manifests no longer contain and that still exist. */
export async function planPrune(api: ApiClient, inventory: readonly ResourceRef[], current: readonly ResourceRef[]): Promise<PlannedChange[]> {
  const keep = new Set(current.map(refKey));
  const order: Record<ManifestKind, number> = { KestraFlow: 0, KestraKeyValue: 1, KestraNamespaceFile: 2 };
  const stale = inventory.filter((r) => !keep.has(refKey(r))).sort((a, b) => order[a.kind] - order[b.kind]);
  const out: PlannedChange[] = [];
  for (const r of stale) {
    if (!(await exists(api, r))) continue;
    const run =
      r.kind === 'KestraFlow'
        ? () => api.deleteFlow(r.namespace, r.id, r.tenant)
        : r.kind === 'KestraKeyValue'
          ? () => api.deleteKv(r.namespace, r.id, r.tenant)
          : () => api.deleteNamespaceFile(r.namespace, r.id, r.tenant);
    out.push({ ref: r, action: 'delete', run });
  }
  return out;
}

function isRef(v: unknown): v is ResourceRef {
  const r = v as Record<string, unknown> | null;
  return (
    r !== null &&
    typeof r === 'object' &&
    ['KestraFlow', 'KestraKeyValue', 'KestraNamespaceFile'].includes(String(r['kind'])) &&
    ['tenant', 'namespace', 'id', 'name'].every((k) => typeof r[k] === 'string')
  );
}

export async function readInventory(api: ApiClient, set: string): Promise<ResourceRef[]> {
  const entry = await api.getKv(INVENTORY_NAMESPACE, inventoryKey(set));
  const resources = (entry?.value as { resources?: unknown } | undefined)?.resources;
  return Array.isArray(resources) ? resources.filter(isRef) : [];
}

export async function writeInventory(api: ApiClient, set: string, resources: readonly ResourceRef[]): Promise<void> {
  const sorted = [...resources].sort((a, b) => refKey(a).localeCompare(refKey(b)));
  await api.putKv(INVENTORY_NAMESPACE, inventoryKey(set), JSON.stringify({ managedBy: 'windhover-apply', set, resources: sorted }));
}

export const errorText = (e: unknown): string => (isWindhoverError(e) || e instanceof Error ? e.message : String(e));
