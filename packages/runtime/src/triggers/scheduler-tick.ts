import type {
  ConditionContext,
  FlowWithSource,
  PendingSlot,
  ScheduleTrigger,
  TriggerDefinition,
  TriggerKey,
  TriggerState,
} from '@windhover/core';
import {
  conditionsMatch,
  formatZoned,
  isScheduleTrigger,
  planScheduleTick,
  TICK_MS,
  readScheduleTrigger,
  scheduleVariables,
  triggerKeyString,
} from '@windhover/core';
import { type TriggerDeps, createTriggeredExecution } from './trigger-deps';
import { renderTriggerInputs, triggerContext, triggerRenderOptions } from './trigger-render';
import { isVersionConflict, updateTriggerState, withoutVersion } from './trigger-state-update';
import { defaultHolidayCalendar } from './date-holidays-calendar';

/** How old a claim must be before another tick finishes its pending slots (the claimer is presumed dead). */
const PENDING_GRACE_MS = 30_000;

/** What one tick did, for logs, metrics and tests. */
export interface SchedulerTickResult {
  /** Schedule triggers looked at. */
  readonly evaluated: number;
  /** Executions created (or found already created) for claimed slots. */
  readonly started: number;
  /** Triggers that failed to evaluate (logged, the others went on). */
  readonly failed: number;
  /** Trigger states removed because their flow or trigger no longer exists. */
  readonly removed: number;
}

/**
 * One scheduler tick (EventBridge every minute on AWS, a timer locally):
 * for every enabled flow with Schedule triggers, claim the slots up to the
 * next minute boundary with a conditional write and start their executions.
 * Safe to run twice at once or to retry: the conditional write lets one
 * tick claim a slot, and the execution ids derive from the slots.
 */
export async function runSchedulerTick(deps: TriggerDeps, now: Date): Promise<SchedulerTickResult> {
  let evaluated = 0;
  let started = 0;
  let failed = 0;
  let removed = 0;
  for (const tenantId of deps.options?.tenants ?? ['main']) {
    // States first: a state listed here belongs to a flow that existed when it was written, so a flow
    // missing from the (later) flow list was really deleted, never just created after the list.
    const states = await deps.ports.triggers.list(tenantId);
    const flows = await deps.ports.flows.list(tenantId);
    const byKey = new Map<string, TriggerState>(states.map((s) => [triggerKeyString(s), s]));
    const live = new Set<string>();
    const horizon = Math.floor(now.getTime() / TICK_MS) * TICK_MS + TICK_MS;
    for (const fw of flows) {
      if (fw.deleted || fw.flow.deleted) continue;
      for (const def of fw.flow.triggers ?? []) {
        const key: TriggerKey = { tenantId, namespace: fw.flow.namespace, flowId: fw.flow.id, triggerId: def.id };
        const k = triggerKeyString(key);
        live.add(k);
        if (!isScheduleTrigger(def)) continue;
        evaluated++;
        const state = byKey.get(k);
        if (state && notDue(fw, def, state, horizon)) continue;
        try {
          started += await evaluateSchedule(deps, fw, def, key, state, now);
        } catch (e) {
          failed++;
          deps.ports.logger.error('schedule trigger evaluation failed', { trigger: k, error: errorMessage(e) });
        }
      }
    }
    // Deleting a flow (or one of its triggers) deletes its trigger state.
    for (const s of states) {
      if (!live.has(triggerKeyString(s))) {
        await deps.ports.triggers.delete(s);
        removed++;
      }
    }
  }
  return { evaluated, started, failed, removed };
}

/**
 * The usual minute for most triggers: the state says the next slot is after
 * this tick's horizon and nothing else changed. Decided without parsing the
 * trigger or touching the cron library, so a tick over thousands of idle
 * triggers costs little more than reading them.
 */
function notDue(fw: FlowWithSource, def: TriggerDefinition, state: TriggerState, horizon: number): boolean {
  if (fw.flow.disabled === true || def.disabled === true || state.disabled) return false;
  if (state.backfill || state.pending?.length || state.nextExecutionDate === undefined) return false;
  const timezone = typeof def.timezone === 'string' && def.timezone.trim() ? def.timezone.trim() : 'UTC';
  if (state.scheduleKey !== `${String(def.cron ?? '').trim()}|${def.withSeconds === true}|${timezone}`) return false;
  return Date.parse(state.nextExecutionDate) >= horizon;
}

/** Parsed triggers per runtime (its deps) and flow revision: a revision never changes. */
const parsedByDeps = new WeakMap<TriggerDeps, Map<string, ScheduleTrigger>>();

function scheduleTriggerOf(deps: TriggerDeps, fw: FlowWithSource, def: TriggerDefinition, key: TriggerKey): ScheduleTrigger {
  let parsed = parsedByDeps.get(deps);
  if (!parsed) {
    parsed = new Map();
    parsedByDeps.set(deps, parsed);
  }
  const cacheKey = `${triggerKeyString(key)}@${fw.revision}`;
  const hit = parsed.get(cacheKey);
  if (hit) return hit;
  const trigger = readScheduleTrigger(def, { recoverMissedSchedules: deps.options?.recoverMissedSchedules });
  if (parsed.size > 100_000) parsed.clear();
  parsed.set(cacheKey, trigger);
  return trigger;
}

/**
 * Evaluates one Schedule trigger now: finishes slots a crashed tick left
 * pending, then plans, claims and starts. Also used when the execution that
 * held the trigger's lock ends, so the next queued slot starts at once.
 */
export async function evaluateSchedule(
  deps: TriggerDeps,
  fw: FlowWithSource,
  def: TriggerDefinition,
  key: TriggerKey,
  knownState: TriggerState | undefined,
  now: Date,
): Promise<number> {
  const trigger = scheduleTriggerOf(deps, fw, def, key);
  const accept = acceptor(deps, fw, trigger, key);
  let state = knownState;
  let started = 0;
  // Slots claimed but left pending by a tick that died (not one still creating them right now).
  if (state?.pending?.length && now.getTime() - Date.parse(state.updatedDate) >= PENDING_GRACE_MS) {
    started += await startSlots(deps, fw, trigger, key, state, state.pending, accept, true);
    state = await deps.ports.triggers.get(key);
  }
  const plan = await planScheduleTick({ key, trigger, state, nowMs: now.getTime(), flowDisabled: fw.flow.disabled === true, accept });
  if (!plan.changed) return started;
  let saved: TriggerState;
  try {
    saved = await deps.ports.triggers.save(plan.state, state?.version);
  } catch (e) {
    if (isVersionConflict(e)) return started; // another tick claimed these slots
    throw e;
  }
  if (plan.fire.length) started += await startSlots(deps, fw, trigger, key, saved, plan.fire, accept, false);
  return started;
}

function acceptor(deps: TriggerDeps, fw: FlowWithSource, trigger: ScheduleTrigger, key: TriggerKey) {
  if (trigger.conditions.length === 0) return () => true;
  const renderOptions = triggerRenderOptions(deps, key.tenantId, key.namespace);
  return (slotMs: number): Promise<boolean> => {
    const ctx: ConditionContext = {
      flow: { tenantId: key.tenantId, namespace: fw.flow.namespace, id: fw.flow.id, revision: fw.revision },
      variables: triggerContext(fw, { date: formatZoned(slotMs, trigger.schedule.timezone), id: trigger.id, type: trigger.type }),
      renderOptions,
      holidays: deps.options?.holidays ?? defaultHolidayCalendar,
    };
    return conditionsMatch(trigger.conditions, ctx);
  };
}

/** Starts the executions of claimed slots, then removes them from the state's outbox. */
async function startSlots(
  deps: TriggerDeps,
  fw: FlowWithSource,
  trigger: ScheduleTrigger,
  key: TriggerKey,
  state: TriggerState,
  slots: readonly PendingSlot[],
  accept: (slotMs: number) => Promise<boolean> | boolean,
  retry: boolean,
): Promise<number> {
  const done = new Set<string>();
  const failedIds = new Set<string>();
  const renderOptions = triggerRenderOptions(deps, key.tenantId, key.namespace);
  for (const slot of slots) {
    const slotMs = Date.parse(slot.date);
    try {
      const variables = { ...(await scheduleVariables(trigger.schedule, slotMs, accept)), id: trigger.id, type: trigger.type };
      const backfill = slot.backfill ? state.backfill : undefined;
      const inputs = {
        ...(await renderTriggerInputs(trigger.inputs, triggerContext(fw, variables), renderOptions)),
        ...(backfill?.inputs ?? {}),
      };
      const labels = [...trigger.labels, ...(backfill?.labels ?? [])];
      await createTriggeredExecution(
        deps,
        {
        id: slot.executionId,
        tenantId: key.tenantId,
        namespace: key.namespace,
        flowId: key.flowId,
        revision: fw.revision,
        inputs,
        labels,
        scheduleDate: slot.date,
        trigger: { id: trigger.id, type: trigger.type, variables },
      },
        { mayExist: retry },
      );
      done.add(slot.executionId);
    } catch (e) {
      // A slot whose execution cannot be created (invalid inputs, ...) is dropped, as Kestra
      // drops a failed trigger evaluation; it must not keep the trigger locked.
      failedIds.add(slot.executionId);
      deps.ports.logger.error('schedule trigger could not start an execution', {
        trigger: triggerKeyString(key),
        slot: slot.date,
        error: errorMessage(e),
      });
    }
  }
  const clear = (current: TriggerState | undefined) => {
    if (!current) return undefined;
    const pending = (current.pending ?? []).filter((p) => !done.has(p.executionId) && !failedIds.has(p.executionId));
    const unlock = current.executionId !== undefined && failedIds.has(current.executionId);
    if (pending.length === (current.pending ?? []).length && !unlock) return undefined;
    const { pending: _p, executionId, ...rest } = withoutVersion(current);
    return { ...rest, ...(pending.length ? { pending } : {}), ...(executionId && !unlock ? { executionId } : {}) };
  };
  // Usually nobody wrote since our claim: write on its version without reading again.
  const direct = clear(state);
  if (direct) {
    try {
      await deps.ports.triggers.save(direct, state.version);
      return done.size;
    } catch (e) {
      if (!isVersionConflict(e)) throw e;
    }
  }
  await updateTriggerState(deps.ports.triggers, key, clear);
  return done.size;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
