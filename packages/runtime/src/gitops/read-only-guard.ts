import type { Flow, FlowWithSource } from '@windhover/core';
import { IllegalStateError } from '@windhover/core';
import type { ApiRequest } from '../http/http-types';
import { normalizeSource } from '../services/flow-service';

/**
 * The request flag of deployment tools (Windhover CLI, CI/CD pipelines, the
 * Kubernetes-style `windhover apply`): a flow labelled `system.readOnly: "true"`
 * may only be changed through the API by a request that says which tool manages
 * it, with this header (or the `managedBy` query parameter). Git sync tasks write
 * through the task API and are never refused.
 */
export const MANAGED_BY_HEADER = 'x-windhover-managed-by';

/** `labels: {system.readOnly: true}` or the list form, as a string or a boolean. */
export function isReadOnlyFlow(flow: Flow): boolean {
  const labels = flow.labels;
  if (!labels) return false;
  const value = Array.isArray(labels)
    ? (labels as readonly { key: string; value: unknown }[]).find((l) => l.key === 'system.readOnly')?.value
    : (labels as Readonly<Record<string, unknown>>)['system.readOnly'];
  return String(value).toLowerCase() === 'true';
}

export function managedBy(request: ApiRequest): string | undefined {
  const header = request.headers[MANAGED_BY_HEADER]?.trim();
  if (header) return header;
  const q = request.query['managedBy'];
  const v = Array.isArray(q) ? q[0] : q;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * Refuses (409) a change to a read-only flow from a request that does not say
 * it manages the flow. The stored flow decides, so dropping the label in the
 * same request does not get past it. Re-sending the identical source is allowed
 * (CI redeploys of unchanged flows).
 */
export function assertFlowWritable(current: FlowWithSource | undefined, request: ApiRequest, change: { newSource?: string; action: 'update' | 'delete' }): void {
  if (!current || current.deleted || !isReadOnlyFlow(current.flow) || managedBy(request)) return;
  if (change.action === 'update' && change.newSource !== undefined && normalizeSource(change.newSource) === normalizeSource(current.source)) return;
  const name = `${current.flow.namespace}.${current.flow.id}`;
  throw new IllegalStateError(
    `Flow '${name}' is read-only (label system.readOnly: "true"): it is managed by Git or a deployment tool, so it cannot be ${change.action === 'delete' ? 'deleted' : 'edited'} through the API. Change it in Git, or send the header 'X-Windhover-Managed-By: <tool>' from the tool that manages it.`,
  );
}

/** The same check for many flows (bulk, import, namespace update): nothing is applied when one is refused. */
export async function assertFlowsWritable(
  find: (namespace: string, id: string) => Promise<FlowWithSource | undefined>,
  request: ApiRequest,
  updates: readonly { namespace: string; id: string; source: string }[],
  deletes: readonly FlowWithSource[] = [],
): Promise<void> {
  const kept = new Set(updates.map((u) => `${u.namespace}.${u.id}`));
  for (const u of updates) assertFlowWritable(await find(u.namespace, u.id), request, { newSource: u.source, action: 'update' });
  for (const d of deletes) if (!kept.has(`${d.flow.namespace}.${d.flow.id}`)) assertFlowWritable(d, request, { action: 'delete' });
}
