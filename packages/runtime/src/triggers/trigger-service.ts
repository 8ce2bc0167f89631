import type { FlowWithSource, JsonValue, NewTriggerState, Label, TriggerDefinition, TriggerKey, TriggerState } from '@windhover/core';
import {
  IllegalStateError,
  NotFoundError,
  ValidationError,
  isScheduleTrigger,
  readScheduleTrigger,
  triggerKeyString,
} from '@windhover/core';
import type { TriggerDeps } from './trigger-deps';
import { updateTriggerState, withoutVersion } from './trigger-state-update';

/** Kestra's TriggerContext as the triggers API returns it. */
export interface TriggerContextJson {
  readonly tenantId: string;
  readonly namespace: string;
  readonly flowId: string;
  readonly triggerId: string;
  readonly date?: string;
  readonly nextExecutionDate?: string;
  readonly backfill?: Readonly<Record<string, unknown>>;
  readonly stopAfter?: readonly string[];
  readonly disabled: boolean;
  readonly executionId?: string;
  readonly updatedDate?: string;
  readonly evaluateRunningDate?: string;
  readonly workerId?: string;
}

export interface TriggerListItem {
  readonly abstractTrigger: TriggerDefinition;
  readonly triggerContext: TriggerContextJson;
}

export interface TriggerSearch {
  readonly namespace?: string;
  readonly namespacePrefix?: string;
  readonly flowId?: string;
  /** Free text matched against namespace, flow id and trigger id. */
  readonly query?: string;
}

export interface BackfillRequest {
  readonly start: string;
  readonly end?: string | null;
  readonly inputs?: Readonly<Record<string, JsonValue>> | null;
  readonly labels?: readonly Label[] | null;
}

/**
 * The triggers API's operations (Kestra's `/api/v1/{tenant}/triggers`):
 * list, enable/disable, unlock, reset, and backfills with pause/unpause/delete.
 * Only scheduler-handled triggers (Schedule) are listed, as in Kestra.
 */
export class TriggerService {
  constructor(private readonly deps: TriggerDeps) {}

  private now(): Date {
    return this.deps.ports.clock.now();
  }

  async search(tenantId: string, search: TriggerSearch = {}): Promise<readonly TriggerListItem[]> {
    const flows = await this.deps.ports.flows.list(tenantId, {
      ...(search.namespace ? { namespace: search.namespace } : {}),
      ...(search.namespacePrefix ? { namespacePrefix: search.namespacePrefix } : {}),
    });
    const states = await this.deps.ports.triggers.list(tenantId, {
      ...(search.namespace ? { namespace: search.namespace } : {}),
      ...(search.namespacePrefix ? { namespacePrefix: search.namespacePrefix } : {}),
      ...(search.flowId ? { flowId: search.flowId } : {}),
    });
    const byKey = new Map(states.map((s) => [triggerKeyString(s), s]));
    const q = search.query?.toLowerCase();
    const out: TriggerListItem[] = [];
    for (const fw of flows) {
      if (search.flowId && fw.flow.id !== search.flowId) continue;
      for (const def of fw.flow.triggers ?? []) {
        if (!isScheduleTrigger(def)) continue;
        if (q && ![fw.flow.namespace, fw.flow.id, def.id].some((s) => s.toLowerCase().includes(q))) continue;
        const key = { tenantId, namespace: fw.flow.namespace, flowId: fw.flow.id, triggerId: def.id };
        out.push({ abstractTrigger: def, triggerContext: contextJson(key, byKey.get(triggerKeyString(key)), def) });
      }
    }
    return out;
  }

  async get(key: TriggerKey): Promise<TriggerListItem> {
    const { def } = await this.scheduleTrigger(key);
    return { abstractTrigger: def, triggerContext: contextJson(key, await this.deps.ports.triggers.get(key), def) };
  }

  /** Enables or disables a trigger from the API. Enabling restarts it from now (no replay of the disabled period). */
  async setDisabled(key: TriggerKey, disabled: boolean): Promise<TriggerContextJson> {
    const { def } = await this.anyTrigger(key);
    const saved = await updateTriggerState(this.deps.ports.triggers, key, (current) => {
      if (current && current.disabled === disabled) return undefined;
      const base: NewTriggerState = current ? withoutVersion(current) : { ...key, type: def.type, disabled, updatedDate: '' };
      const { nextExecutionDate: _n, ...rest } = base;
      return { ...rest, disabled, updatedDate: this.now().toISOString() };
    });
    return contextJson(key, saved, def);
  }

  async unlock(key: TriggerKey): Promise<TriggerContextJson> {
    const { def } = await this.anyTrigger(key);
    const saved = await updateTriggerState(this.deps.ports.triggers, key, (current) => {
      if (!current?.executionId) return undefined;
      const { executionId: _e, ...rest } = withoutVersion(current);
      return { ...rest, updatedDate: this.now().toISOString() };
    });
    return contextJson(key, saved, def);
  }

  /** Kestra's "Delete trigger": forget the state; the trigger starts again from now. Returns whether there was a state. */
  async reset(key: TriggerKey): Promise<boolean> {
    await this.anyTrigger(key);
    return this.deps.ports.triggers.delete(key);
  }

  /** Restart: release the lock and re-evaluate from now, keeping the enabled flag and backfill. */
  async restart(key: TriggerKey): Promise<TriggerContextJson> {
    const { def } = await this.anyTrigger(key);
    const saved = await updateTriggerState(this.deps.ports.triggers, key, (current) => {
      if (!current) return undefined;
      const { executionId: _e, nextExecutionDate: _n, ...rest } = withoutVersion(current);
      return { ...rest, updatedDate: this.now().toISOString() };
    });
    return contextJson(key, saved, def);
  }

  /** Starts a backfill: every slot between start and end (default now) is replayed, already-run slots included. */
  async backfill(key: TriggerKey, request: BackfillRequest): Promise<TriggerContextJson> {
    const { def, trigger } = await this.scheduleTrigger(key);
    const now = this.now();
    const start = parseInstant(request.start, 'backfill.start');
    const end = request.end ? parseInstant(request.end, 'backfill.end') : now.getTime();
    if (end < start) throw new ValidationError('backfill.end must not be before backfill.start', [{ path: 'backfill.end', message: 'before start' }]);
    if (trigger.schedule.nextOrSame(start) === undefined) throw new ValidationError('the schedule has no slot after backfill.start');
    const saved = await updateTriggerState(this.deps.ports.triggers, key, (current) => {
      if (current?.backfill) throw new IllegalStateError(`Trigger '${triggerKeyString(key)}' already has a backfill; delete it first`);
      const base = current ? withoutVersion(current) : { ...key, type: def.type, disabled: false };
      return {
        ...base,
        backfill: {
          start: new Date(start).toISOString(),
          end: new Date(end).toISOString(),
          currentDate: new Date(start).toISOString(),
          ...(request.inputs ? { inputs: request.inputs } : {}),
          ...(request.labels?.length ? { labels: request.labels.map((l) => ({ key: String(l.key), value: String(l.value) })) } : {}),
          paused: false,
          executed: 0,
          createdDate: now.toISOString(),
        },
        updatedDate: now.toISOString(),
      };
    });
    return contextJson(key, saved, def);
  }

  async setBackfillPaused(key: TriggerKey, paused: boolean): Promise<TriggerContextJson> {
    const { def } = await this.scheduleTrigger(key);
    const saved = await updateTriggerState(this.deps.ports.triggers, key, (current) => {
      if (!current?.backfill) throw new IllegalStateError(`Trigger '${triggerKeyString(key)}' has no backfill`);
      if (current.backfill.paused === paused) return undefined;
      return { ...withoutVersion(current), backfill: { ...current.backfill, paused }, updatedDate: this.now().toISOString() };
    });
    return contextJson(key, saved, def);
  }

  /** Cancels the pending replays of a backfill (executions already started go on). */
  async deleteBackfill(key: TriggerKey): Promise<TriggerContextJson> {
    const { def } = await this.scheduleTrigger(key);
    const saved = await updateTriggerState(this.deps.ports.triggers, key, (current) => {
      if (!current?.backfill) return undefined;
      const { backfill: _b, ...rest } = withoutVersion(current);
      return { ...rest, updatedDate: this.now().toISOString() };
    });
    return contextJson(key, saved, def);
  }

  private async flow(key: TriggerKey): Promise<FlowWithSource> {
    const fw = await this.deps.ports.flows.get(key.tenantId, key.namespace, key.flowId);
    if (!fw) throw new NotFoundError('Flow', `${key.namespace}.${key.flowId}`);
    return fw;
  }

  private async anyTrigger(key: TriggerKey) {
    const fw = await this.flow(key);
    const def = fw.flow.triggers?.find((t) => t.id === key.triggerId);
    if (!def) throw new NotFoundError('Trigger', triggerKeyString(key));
    return { fw, def };
  }

  private async scheduleTrigger(key: TriggerKey) {
    const { fw, def } = await this.anyTrigger(key);
    if (!isScheduleTrigger(def)) throw new ValidationError(`Trigger '${key.triggerId}' is not a Schedule trigger`);
    return { fw, def, trigger: readScheduleTrigger(def) };
  }
}

function parseInstant(text: string, path: string): number {
  const ms = typeof text === 'string' ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(`${path} '${String(text)}' is not a date-time`, [{ path, message: 'not a date-time' }]);
  return ms;
}

/** Kestra's TriggerContext JSON for a trigger and its stored state (if any). */
export function contextJson(key: TriggerKey, state: TriggerState | undefined, def: TriggerDefinition): TriggerContextJson {
  const stopAfter = Array.isArray(def.stopAfter) ? def.stopAfter.map(String) : undefined;
  const b = state?.backfill;
  return {
    tenantId: key.tenantId,
    namespace: key.namespace,
    flowId: key.flowId,
    triggerId: key.triggerId,
    ...(state?.date ? { date: state.date } : {}),
    ...(state?.nextExecutionDate ? { nextExecutionDate: state.nextExecutionDate } : {}),
    ...(b
      ? {
          backfill: {
            start: b.start,
            end: b.end,
            currentDate: b.currentDate,
            previousNextExecutionDate: state?.nextExecutionDate,
            inputs: b.inputs ?? null,
            labels: b.labels ?? [],
            paused: b.paused,
          },
        }
      : {}),
    ...(stopAfter ? { stopAfter } : {}),
    disabled: state?.disabled === true || def.disabled === true,
    ...(state?.executionId ? { executionId: state.executionId } : {}),
    ...(state?.updatedDate ? { updatedDate: state.updatedDate } : {}),
  };
}
