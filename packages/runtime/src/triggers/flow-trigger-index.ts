import type { Clock, FlowRepository, FlowWithSource, TriggerDefinition } from '@windhover/core';
import { isFlowTrigger } from '@windhover/core';

/** One enabled Flow trigger of an enabled flow. */
export interface FlowTriggerEntry {
  readonly flow: FlowWithSource;
  readonly def: TriggerDefinition;
}

/** How long a tenant's list is reused before it is read again (ms). */
export const FLOW_TRIGGER_INDEX_TTL_MS = 2_000;

/**
 * The Flow triggers of a tenant, read from the flow repository at most once
 * per `ttlMs` per process instead of once per ended execution (a listing of
 * every flow: on DynamoDB a Query whose cost grows with the number of
 * flows). A flow saved through this process invalidates the list at once
 * (`invalidate`); flows saved by another process (another Lambda instance)
 * are seen within `ttlMs`.
 */
export class FlowTriggerIndex {
  readonly #cache = new Map<string, { readonly at: number; readonly entries: Promise<readonly FlowTriggerEntry[]> }>();

  constructor(
    private readonly flows: Pick<FlowRepository, 'list'>,
    private readonly clock: Clock,
    private readonly ttlMs = FLOW_TRIGGER_INDEX_TTL_MS,
  ) {}

  entries(tenantId: string): Promise<readonly FlowTriggerEntry[]> {
    const now = this.clock.now().getTime();
    const hit = this.#cache.get(tenantId);
    if (hit && now - hit.at < this.ttlMs) return hit.entries;
    const entries = this.#read(tenantId);
    this.#cache.set(tenantId, { at: now, entries });
    // A failed read is not kept: the next call reads again.
    entries.catch(() => {
      if (this.#cache.get(tenantId)?.entries === entries) this.#cache.delete(tenantId);
    });
    return entries;
  }

  /** Forgets every tenant's list (a flow was saved or deleted). */
  invalidate(): void {
    this.#cache.clear();
  }

  #read(tenantId: string): Promise<readonly FlowTriggerEntry[]> {
    return listFlowTriggers(this.flows, tenantId);
  }
}

/** The enabled Flow triggers of the tenant's enabled flows, read now (FlowTriggerIndex caches this). */
export async function listFlowTriggers(flows: Pick<FlowRepository, 'list'>, tenantId: string): Promise<readonly FlowTriggerEntry[]> {
  const out: FlowTriggerEntry[] = [];
  for (const flow of await flows.list(tenantId)) {
    if (flow.deleted || flow.flow.deleted || flow.flow.disabled) continue;
    for (const def of flow.flow.triggers ?? []) if (isFlowTrigger(def) && def.disabled !== true) out.push({ flow, def });
  }
  return out;
}

/** A flow repository whose saves invalidate `index` (every writer of this process goes through it). */
export function invalidatingFlowRepository(flows: FlowRepository, index: FlowTriggerIndex): FlowRepository {
  return {
    get: (...args) => flows.get(...args),
    list: (...args) => flows.list(...args),
    revisions: (...args) => flows.revisions(...args),
    save: async (flow, expectedRevision) => {
      try {
        await flows.save(flow, expectedRevision);
      } finally {
        index.invalidate();
      }
    },
  };
}
