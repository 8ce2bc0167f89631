import type { Clock, Flow, FlowRepository, FlowSaveStatus, FlowWithSource, TaskFlows, Violation } from '@windhover/core';
import { AlreadyExistsError, FlowNotFoundError, ValidationError } from '@windhover/core';
import { type FlowValidator, splitYamlDocuments } from './flow-validator';

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

/**
 * Saving flows: validate, then store revision n+1. An identical source
 * stores nothing, the namespace and id of a flow never change, and a delete
 * is a tombstone revision.
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
    return { flow: await this.store(tenantId, flow, source, current.revision), changed: true };
  }

  /** Creates or updates (Git sync, bulk, import): identical source reports UNCHANGED and stores nothing. */
  async save(tenantId: string, source: string): Promise<{ flow: FlowWithSource; status: FlowSaveStatus }> {
    const flow = this.parse(source);
    const latest = await this.latestRevision(tenantId, flow.namespace, flow.id);
    if (latest && !latest.deleted) {
      if (normalizeSource(latest.source) === normalizeSource(source)) return { flow: latest, status: 'UNCHANGED' };
      return { flow: await this.store(tenantId, flow, source, latest.revision), status: 'UPDATED' };
    }
    return { flow: await this.store(tenantId, flow, source, latest?.revision), status: 'ADDED' };
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
    for (const [index, doc] of docs.entries()) {
      const r = this.validator.validate(doc);
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
      delete: async (namespace, id) => {
        if (!(await this.repo.get(tenantId, namespace, id))) return false;
        await this.delete(tenantId, namespace, id);
        return true;
      },
    };
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
