import type { Clock, Flow, FlowBatchOptions, FlowRepository, FlowSavePlan, FlowSaveStatus, FlowWithSource, TaskFlows, Violation } from '@windhover/core';
import { AlreadyExistsError, FlowNotFoundError, ValidationError } from '@windhover/core';
import { type FlowValidator, splitYamlDocuments } from './flow-validator';
import { findSubflowCycles, subflowCycleMessage } from './subflow-cycles';

/** Kestra's `ValidateConstraintViolation` for one document of `/flows/validate`. */
export interface FlowValidationResult {
  readonly index: number;
  readonly flow?: string;
  readonly namespace?: string;
  readonly constraints?: string;
  readonly outdated: boolean;
  readonly deprecationPaths: readonly string[];
  readonly warnings: readonly string[];
  readonly infos: readonly string[];
}

/** Sources compare equal when they differ only in line endings and surrounding blank space. */
export const normalizeSource = (source: string): string => source.replace(/\r\n?/g, '\n').trim();

/** Rewrites the top-level `namespace:` of a flow source (Git sync with a target namespace). */
export function replaceNamespace(source: string, namespace: string): string {
  return source.replace(/^namespace:[ \t]*[^\r\n#]*?([ \t]*(#[^\r\n]*)?)$/m, `namespace: ${namespace}$1`);
}

/** Flows saved together (bulk, namespace update, Git sync) and the flows the same change deletes. */
export interface FlowBatch {
  readonly sources: readonly string[];
  readonly deleting?: FlowBatchOptions['deleting'];
}

const flowKey = (namespace: string, id: string) => `${namespace}.${id}`;

/**
 * Saving flows: validate, then store revision n+1. An identical source
 * stores nothing, the namespace and id of a flow never change, and a delete
 * is a tombstone revision. A flow may not call itself through subflows,
 * directly or through other flows (core-spec §1.3): every save follows the
 * static Subflow / ForEachItem references through the latest revisions, and
 * flows saved together see each other.
 */
export class FlowService {
  constructor(
    private readonly repo: FlowRepository,
    private readonly validator: FlowValidator,
    private readonly clock: Clock,
  ) {}

  /** Validates one source or throws ValidationError (422) with every problem. */
  parse(source: string): Flow {
    const result = this.validator.validate(source);
    if (!result.flow || result.violations.length > 0) {
      throw new ValidationError('Invalid flow', result.violations.length > 0 ? result.violations : [{ message: 'invalid flow' }]);
    }
    return result.flow;
  }

  async get(tenantId: string, namespace: string, id: string, options: { revision?: number; allowDeleted?: boolean } = {}): Promise<FlowWithSource> {
    const found = await this.repo.get(tenantId, namespace, id, options.revision);
    if (!found || (found.deleted && !options.allowDeleted)) throw new FlowNotFoundError(namespace, id, options.revision);
    return found;
  }

  find(tenantId: string, namespace: string, id: string): Promise<FlowWithSource | undefined> {
    return this.repo.get(tenantId, namespace, id);
  }

  list(tenantId: string, query: { namespace?: string; namespacePrefix?: string } = {}): Promise<readonly FlowWithSource[]> {
    return this.repo.list(tenantId, query);
  }

  async revisions(tenantId: string, namespace: string, id: string): Promise<readonly FlowWithSource[]> {
    const all = await this.repo.revisions(tenantId, namespace, id);
    if (all.length === 0) throw new FlowNotFoundError(namespace, id);
    return all;
  }

  /** Creates a flow; 409 when a live flow with this namespace and id exists. */
  async create(tenantId: string, source: string): Promise<FlowWithSource> {
    const flow = this.parse(source);
    const latest = await this.latestRevision(tenantId, flow.namespace, flow.id);
    if (latest && !latest.deleted) throw new AlreadyExistsError('Flow', `${flow.namespace}.${flow.id}`);
    await this.assertNoSubflowCycles(tenantId, [flow]);
    return this.store(tenantId, flow, source, latest?.revision);
  }

  /** Replaces the source of an existing flow; the id and namespace in the source must match the path. */
  async update(tenantId: string, namespace: string, id: string, source: string): Promise<{ flow: FlowWithSource; changed: boolean }> {
    const flow = this.parse(source);
    const current = await this.repo.get(tenantId, namespace, id);
    if (!current) throw new FlowNotFoundError(namespace, id);
    const violations: Violation[] = [];
    if (flow.id !== id) violations.push({ message: `Illegal flow id update: '${flow.id}' instead of '${id}'`, path: 'id' });
    if (flow.namespace !== namespace) violations.push({ message: `Illegal namespace update: '${flow.namespace}' instead of '${namespace}'`, path: 'namespace' });
    if (violations.length > 0) throw new ValidationError('Invalid flow', violations);
    if (normalizeSource(current.source) === normalizeSource(source)) return { flow: current, changed: false };
    await this.assertNoSubflowCycles(tenantId, [flow]);
    return { flow: await this.store(tenantId, flow, source, current.revision), changed: true };
  }

  /** Creates or updates (Git sync, bulk, import): identical source reports UNCHANGED and stores nothing. */
  async save(tenantId: string, source: string): Promise<{ flow: FlowWithSource; status: FlowSaveStatus }> {
    const [saved] = (await this.saveAll(tenantId, { sources: [source] })).saved;
    if (!saved) throw new ValidationError('Invalid flow', [{ message: 'empty flow source' }]);
    return saved;
  }

  /**
   * What saving a batch would do, without saving: per source (all valid,
   * else 422), the status and revision it would get (after a soft delete the
   * revisions continue: a flow deleted at revision 2 comes back as 3) and the
   * subflow cycles that would reject it. The batch's flows see each other;
   * the flows it deletes are left out.
   */
  async plan(tenantId: string, batch: FlowBatch): Promise<FlowSavePlan[]> {
    return (await this.planBatch(tenantId, batch)).map(({ flow, status, revision, problems }) => ({ namespace: flow.namespace, id: flow.id, status, revision, problems }));
  }

  /**
   * Saves several flows as one change (bulk, namespace update, import, Git
   * sync): every source is validated and the subflow cycles are looked for
   * over the whole batch first, so a rejected batch (422) stores nothing.
   * Deletes `deleting` (the live ones) before saving; returns their tombstones.
   */
  async saveAll(tenantId: string, batch: FlowBatch): Promise<{ saved: { flow: FlowWithSource; status: FlowSaveStatus }[]; deleted: FlowWithSource[] }> {
    const planned = await this.planBatch(tenantId, batch);
    const violations = planned.flatMap((p) => p.problems);
    if (violations.length > 0) throw new ValidationError(planned.length > 1 ? 'Invalid flows' : 'Invalid flow', violations);
    const deleted: FlowWithSource[] = [];
    for (const d of batch.deleting ?? []) {
      if (await this.repo.get(tenantId, d.namespace, d.id)) deleted.push(await this.delete(tenantId, d.namespace, d.id));
    }
    const out: { flow: FlowWithSource; status: FlowSaveStatus }[] = [];
    for (const p of planned) {
      // Planned against the stored revisions: a later delete or save moves the revision on, so read it again.
      const latest = await this.latestRevision(tenantId, p.flow.namespace, p.flow.id);
      if (latest && !latest.deleted && normalizeSource(latest.source) === normalizeSource(p.source)) {
        out.push({ flow: latest, status: 'UNCHANGED' });
        continue;
      }
      out.push({ flow: await this.store(tenantId, p.flow, p.source, latest?.revision), status: latest && !latest.deleted ? 'UPDATED' : 'ADDED' });
    }
    return { saved: out, deleted };
  }

  /** Soft delete: writes a tombstone revision. Returns the tombstone. */
  async delete(tenantId: string, namespace: string, id: string): Promise<FlowWithSource> {
    const current = await this.repo.get(tenantId, namespace, id);
    if (!current) throw new FlowNotFoundError(namespace, id);
    const revision = current.revision + 1;
    const tombstone: FlowWithSource = {
      ...current,
      flow: { ...current.flow, revision, deleted: true },
      revision,
      updated: this.clock.now().toISOString(),
      deleted: true,
    };
    await this.repo.save(tombstone, current.revision);
    return tombstone;
  }

  /** Validates every document of a multi-document source, the way Kestra's `/flows/validate` answers. */
  async validateMany(tenantId: string, source: string): Promise<FlowValidationResult[]> {
    const docs = splitYamlDocuments(source);
    const results: FlowValidationResult[] = [];
    const validated = docs.map((doc) => this.validator.validate(doc));
    // The documents are checked together, the way a bulk save or `windhover apply` would store them.
    const batch = new Map(validated.flatMap((r) => (r.flow && r.violations.length === 0 ? [[flowKey(r.flow.namespace, r.flow.id), r.flow] as const] : [])));
    const cycles = await findSubflowCycles([...batch.values()], async (namespace, id) => batch.get(flowKey(namespace, id)) ?? this.liveFlow(tenantId, namespace, id));
    for (const [index, doc] of docs.entries()) {
      const found = validated[index];
      if (!found) continue;
      const own = cycles.filter((c) => found.flow && c.flow === flowKey(found.flow.namespace, found.flow.id)).map((c) => ({ message: subflowCycleMessage(c), path: c.path }));
      const r = { ...found, violations: [...found.violations, ...own] };
      const idMatch = /^id:[ \t]*["']?([^"'\s#]+)/m.exec(doc);
      const nsMatch = /^namespace:[ \t]*["']?([^"'\s#]+)/m.exec(doc);
      const flowId = r.flow?.id ?? idMatch?.[1];
      const namespace = r.flow?.namespace ?? nsMatch?.[1];
      let outdated = false;
      if (r.flow?.revision !== undefined && flowId && namespace) {
        const latest = await this.repo.get(tenantId, namespace, flowId);
        outdated = latest !== undefined && r.flow.revision !== latest.revision + 1;
      }
      results.push({
        index,
        ...(flowId ? { flow: flowId } : {}),
        ...(namespace ? { namespace } : {}),
        ...(r.violations.length > 0 ? { constraints: r.violations.map((v) => (v.path ? `${v.path}: ${v.message}` : v.message)).join('\n') } : {}),
        outdated,
        deprecationPaths: r.deprecationPaths ?? [],
        warnings: r.warnings ?? [],
        infos: [],
      });
    }
    return results;
  }

  splitDocuments(source: string): readonly string[] {
    return splitYamlDocuments(source);
  }

  /** Flow management for tasks (Git sync and push), scoped to one tenant. */
  taskFlows(tenantId: string): TaskFlows {
    return {
      // An empty namespace with includeChildNamespaces lists the whole tenant (TenantSync).
      list: ({ namespace, includeChildNamespaces }) =>
        this.repo.list(tenantId, namespace === '' && includeChildNamespaces ? {} : includeChildNamespaces ? { namespacePrefix: namespace } : { namespace }),
      get: (namespace, id) => this.repo.get(tenantId, namespace, id),
      validate: async (source) =>
        this.validator.validate(source).violations.map((v) => ({
          message: v.message,
          ...(v.path !== undefined ? { path: v.path } : {}),
          ...(v.line !== undefined ? { line: v.line } : {}),
          ...(v.column !== undefined ? { column: v.column } : {}),
        })),
      save: (source, options) => this.save(tenantId, options?.namespaceOverride ? replaceNamespace(source, options.namespaceOverride) : source),
      plan: (sources, options) => this.plan(tenantId, { sources, ...(options?.deleting ? { deleting: options.deleting } : {}) }),
      saveAll: async (sources, options) => (await this.saveAll(tenantId, { sources, ...(options?.deleting ? { deleting: options.deleting } : {}) })).saved,
      delete: async (namespace, id) => {
        if (!(await this.repo.get(tenantId, namespace, id))) return false;
        await this.delete(tenantId, namespace, id);
        return true;
      },
    };
  }

  /** Rejects (422) flows whose subflow calls lead back to themselves through the stored flows. */
  private async assertNoSubflowCycles(tenantId: string, flows: readonly Flow[]): Promise<void> {
    const cycles = await findSubflowCycles(flows, (namespace, id) => this.liveFlow(tenantId, namespace, id));
    if (cycles.length > 0) throw new ValidationError('Invalid flow', cycles.map((c) => ({ message: subflowCycleMessage(c), path: c.path })));
  }

  private async liveFlow(tenantId: string, namespace: string, id: string): Promise<Flow | undefined> {
    const found = await this.repo.get(tenantId, namespace, id);
    return found && !found.deleted ? found.flow : undefined;
  }

  /** Parses a batch (every problem at once), then plans each flow against the latest revisions, tombstones included. */
  private async planBatch(
    tenantId: string,
    batch: FlowBatch,
  ): Promise<{ flow: Flow; source: string; status: FlowSaveStatus; revision: number; problems: Violation[] }[]> {
    const parsed: { flow: Flow; source: string }[] = [];
    const invalid: Violation[] = [];
    for (const [i, source] of batch.sources.entries()) {
      try {
        parsed.push({ flow: this.parse(source), source });
      } catch (e) {
        if (!(e instanceof ValidationError) || batch.sources.length === 1) throw e;
        invalid.push(...e.violations.map((v) => ({ ...v, message: `[flow ${i}] ${v.message}` })));
      }
    }
    if (invalid.length > 0) throw new ValidationError('Invalid flows', invalid);
    const byKey = new Map<string, Flow>();
    for (const { flow } of parsed) {
      const key = flowKey(flow.namespace, flow.id);
      if (byKey.has(key)) throw new ValidationError('Invalid flows', [{ message: `Duplicate flow id '${key}'`, path: 'id' }]);
      byKey.set(key, flow);
    }
    const deleting = new Set((batch.deleting ?? []).map((d) => flowKey(d.namespace, d.id)));
    const planned = [];
    const changed: Flow[] = [];
    for (const p of parsed) {
      const latest = await this.latestRevision(tenantId, p.flow.namespace, p.flow.id);
      const live = latest && !latest.deleted && !deleting.has(flowKey(p.flow.namespace, p.flow.id)) ? latest : undefined;
      // Deleting a flow writes a tombstone revision first: saving it again in the same change comes after it.
      const base = (latest?.revision ?? 0) + (live === undefined && latest !== undefined && !latest.deleted ? 1 : 0);
      const unchanged = live !== undefined && normalizeSource(live.source) === normalizeSource(p.source);
      if (!unchanged) changed.push(p.flow);
      planned.push({ ...p, status: (unchanged ? 'UNCHANGED' : live ? 'UPDATED' : 'ADDED') as FlowSaveStatus, revision: unchanged ? base : base + 1, problems: [] as Violation[] });
    }
    // Flows stored unchanged were checked when stored: only the changed ones can create a cycle.
    const cycles = await findSubflowCycles(changed, async (namespace, id) => {
      const key = flowKey(namespace, id);
      return byKey.get(key) ?? (deleting.has(key) ? undefined : this.liveFlow(tenantId, namespace, id));
    });
    for (const c of cycles) planned.find((p) => flowKey(p.flow.namespace, p.flow.id) === c.flow)?.problems.push({ message: subflowCycleMessage(c), path: c.path });
    return planned;
  }

  private async latestRevision(tenantId: string, namespace: string, id: string): Promise<FlowWithSource | undefined> {
    const live = await this.repo.get(tenantId, namespace, id);
    if (live) return live;
    const all = await this.repo.revisions(tenantId, namespace, id);
    return all[all.length - 1];
  }

  private async store(tenantId: string, flow: Flow, source: string, previousRevision: number | undefined): Promise<FlowWithSource> {
    const revision = (previousRevision ?? 0) + 1;
    const stored: FlowWithSource = {
      flow: { ...flow, tenantId, revision },
      source,
      revision,
      tenantId,
      updated: this.clock.now().toISOString(),
    };
    await this.repo.save(stored, previousRevision);
    return stored;
  }
}
