import type { ConditionContext, Execution, FlowTrigger, FlowWithSource, TriggerDefinition, TriggerKey } from '@windhover/core';
import {
  applyToWindow,
  flowTriggerAccepts,
  flowTriggerVariables,
  isFlowTrigger,
  isScheduleTrigger,
  isTerminated,
  isWebhookTrigger,
  readStates,
  matchingKeys,
  readFlowTrigger,
  readScheduleTrigger,
  releaseScheduleLock,
  triggerExecutionId,
  triggerKeyString,
} from '@windhover/core';
import { errorMessage, evaluateSchedule } from './scheduler-tick';
import { type TriggerDeps, createTriggeredExecution } from './trigger-deps';
import { renderTriggerInputs, triggerContext, triggerRenderOptions } from './trigger-render';
import { updateTriggerState, withoutVersion } from './trigger-state-update';
import { defaultHolidayCalendar } from './date-holidays-calendar';
import { listFlowTriggers } from './flow-trigger-index';

export interface ExecutionEndedResult {
  /** Executions started by Flow triggers. */
  readonly started: readonly string[];
  /** The Schedule trigger that created this execution was released (and maybe disabled by stopAfter). */
  readonly released: boolean;
}

/**
 * Called once an execution reaches a terminal state or PAUSED (the
 * execution event bus; EventBridge on AWS). Releases the lock of the
 * Schedule trigger that created it (applying `stopAfter`) and starts the
 * flows whose Flow triggers match. Safe to call twice for the same event.
 */
export async function handleExecutionEnded(deps: TriggerDeps, execution: Execution, now: Date): Promise<ExecutionEndedResult> {
  let released = false;
  if (isTerminated(execution.state.current)) {
    released = await releaseSchedule(deps, execution, now);
    await applyStopAfter(deps, execution, now);
  }
  const started = await evaluateFlowTriggers(deps, execution, now);
  return { started, released };
}

async function releaseSchedule(deps: TriggerDeps, execution: Execution, now: Date): Promise<boolean> {
  const t = execution.trigger;
  if (!t || !isScheduleTrigger(t)) return false;
  const fw = await deps.ports.flows.get(execution.tenantId, execution.namespace, execution.flowId);
  const def = fw?.flow.triggers?.find((d) => d.id === t.id);
  const key: TriggerKey = { tenantId: execution.tenantId, namespace: execution.namespace, flowId: execution.flowId, triggerId: t.id };
  const stopAfter = def && isScheduleTrigger(def) ? readScheduleTrigger(def).stopAfter : [];
  let released = false;
  const saved = await updateTriggerState(deps.ports.triggers, key, (current) => {
    if (!current) return undefined;
    const next = releaseScheduleLock(current, { stopAfter }, execution, now.toISOString());
    const pending = (current.pending ?? []).filter((p) => p.executionId !== execution.id);
    if (!next && pending.length === (current.pending ?? []).length) return undefined;
    released = true;
    const { pending: _p, ...rest } = next ?? withoutVersion(current);
    return { ...rest, ...(pending.length ? { pending } : {}) };
  });
  // The next queued slot (or backfill slot) starts now rather than at the next tick.
  if (released && fw && def && saved && !saved.disabled && !saved.executionId) {
    try {
      await evaluateSchedule(deps, fw, def, key, saved, now);
    } catch (e) {
      deps.ports.logger.error('schedule trigger evaluation failed', { trigger: triggerKeyString(key), error: errorMessage(e) });
    }
  }
  return released;
}

/**
 * `stopAfter` of Flow and Webhook triggers (Schedule triggers apply it when
 * they release their lock): the trigger that created this execution is
 * disabled when the execution ended in one of the listed states.
 */
async function applyStopAfter(deps: TriggerDeps, execution: Execution, now: Date): Promise<void> {
  const t = execution.trigger;
  if (!t || isScheduleTrigger(t) || !(isFlowTrigger(t) || isWebhookTrigger(t))) return;
  const fw = await deps.ports.flows.get(execution.tenantId, execution.namespace, execution.flowId);
  const def = fw?.flow.triggers?.find((d) => d.id === t.id);
  if (!def || !readStates(def.stopAfter, 'stopAfter').includes(execution.state.current)) return;
  const key: TriggerKey = { tenantId: execution.tenantId, namespace: execution.namespace, flowId: execution.flowId, triggerId: t.id };
  await updateTriggerState(deps.ports.triggers, key, (current) => {
    if (current?.disabled) return undefined;
    const base = current ? withoutVersion(current) : { ...key, type: def.type, disabled: true };
    return { ...base, disabled: true, updatedDate: now.toISOString() };
  });
}

/** The Flow triggers an ended execution may fire: every enabled one of the tenant but the one that created it. */
async function candidateTriggers(deps: TriggerDeps, execution: Execution): Promise<readonly { fw: FlowWithSource; def: TriggerDefinition; key: TriggerKey }[]> {
  const entries = deps.flowTriggers
    ? await deps.flowTriggers.entries(execution.tenantId)
    : await listFlowTriggers(deps.ports.flows, execution.tenantId);
  return entries
    .filter(({ flow: fw, def }) => !(execution.trigger?.id === def.id && execution.namespace === fw.flow.namespace && execution.flowId === fw.flow.id))
    .map(({ flow: fw, def }) => ({ fw, def, key: { tenantId: execution.tenantId, namespace: fw.flow.namespace, flowId: fw.flow.id, triggerId: def.id } }));
}

/** Starts every flow whose Flow trigger (states, conditions, preconditions) this execution completes. */
export async function evaluateFlowTriggers(deps: TriggerDeps, execution: Execution, now: Date): Promise<readonly string[]> {
  const started: string[] = [];
  // An execution never re-triggers the trigger that created it (no endless self-loops).
  for (const { fw, def, key } of await candidateTriggers(deps, execution)) {
    try {
      const id = await evaluateFlowTrigger(deps, fw, def, key, execution, now);
      if (id) started.push(id);
    } catch (e) {
      deps.ports.logger.error('flow trigger evaluation failed', {
        trigger: triggerKeyString(key),
        executionId: execution.id,
        error: errorMessage(e),
      });
    }
  }
  return started;
}

/**
 * Whether handleExecutionEnded would change anything durable for this
 * ended execution: release or re-arm the Schedule trigger that created it,
 * disable its trigger (`stopAfter`), record a precondition window or start
 * a flow. It reads what handleExecutionEnded reads, changes nothing, and
 * says true when in doubt (an error, a trigger it cannot read).
 */
export async function endNeedsDelivery(deps: TriggerDeps, execution: Execution): Promise<boolean> {
  try {
    const t = execution.trigger;
    if (t && isScheduleTrigger(t)) return true;
    if (t && (isFlowTrigger(t) || isWebhookTrigger(t))) {
      const fw = await deps.ports.flows.get(execution.tenantId, execution.namespace, execution.flowId);
      const def = fw?.flow.triggers?.find((d) => d.id === t.id);
      if (def && readStates(def.stopAfter, 'stopAfter').includes(execution.state.current)) return true;
    }
    for (const { fw, def, key } of await candidateTriggers(deps, execution)) {
      const trigger = readFlowTrigger(def);
      const ctx = conditionContext(deps, fw, trigger, key, execution);
      if (!(await flowTriggerAccepts(trigger, execution, ctx))) continue;
      if (trigger.preconditions.length === 0) return true;
      for (const p of trigger.preconditions) if ((await matchingKeys(p, execution, ctx)).length > 0) return true;
    }
    return false;
  } catch {
    return true;
  }
}

function conditionContext(deps: TriggerDeps, fw: FlowWithSource, trigger: FlowTrigger, key: TriggerKey, execution: Execution): ConditionContext {
  const variables = { ...flowTriggerVariables(execution), id: trigger.id, type: trigger.type };
  return {
    flow: { tenantId: key.tenantId, namespace: fw.flow.namespace, id: fw.flow.id, revision: fw.revision },
    execution,
    variables: { ...triggerContext(fw, variables), execution: { id: execution.id, state: execution.state.current } },
    renderOptions: triggerRenderOptions(deps, key.tenantId, key.namespace),
    holidays: deps.options?.holidays ?? defaultHolidayCalendar,
  };
}

async function evaluateFlowTrigger(
  deps: TriggerDeps,
  fw: FlowWithSource,
  def: TriggerDefinition,
  key: TriggerKey,
  execution: Execution,
  now: Date,
): Promise<string | undefined> {
  const trigger = readFlowTrigger(def);
  const ctx = conditionContext(deps, fw, trigger, key, execution);
  const variables = { ...flowTriggerVariables(execution), id: trigger.id, type: trigger.type };
  // States and conditions first: they read nothing, and most triggers of a tenant do not match a given execution.
  if (!(await flowTriggerAccepts(trigger, execution, ctx))) return undefined;
  const state = await deps.ports.triggers.get(key);
  if (state?.disabled) return undefined;

  let occasion: readonly (string | number)[] = [execution.id, execution.state.current];
  if (trigger.preconditions.length > 0) {
    const matched = await Promise.all(trigger.preconditions.map((p) => matchingKeys(p, execution, ctx)));
    if (matched.every((m) => m.length === 0)) return undefined;
    let fired: readonly (string | number)[] | undefined;
    await updateTriggerState(deps.ports.triggers, key, (current) => {
      fired = undefined;
      const windows = { ...(current?.windows ?? {}) };
      const eventId = `${execution.id}:${execution.state.current}`;
      const starts = trigger.preconditions.map((p) => windows[p.id]?.start ?? '');
      const decisions = trigger.preconditions.map((p, i) => {
        const d = applyToWindow(p, windows[p.id], matched[i] ?? [], execution.id, now.getTime(), eventId);
        if (d.state) {
          windows[p.id] = d.state;
          starts[i] = d.state.start ?? '';
        }
        return d;
      });
      if (decisions.every((d) => d.fire)) {
        fired = ['window', ...trigger.preconditions.flatMap((p, i) => [p.id, starts[i] ?? '', decisions[i]?.firing ?? 0])];
      }
      if (decisions.every((d) => d.state === undefined)) return undefined;
      const base = current ? withoutVersion(current) : { ...key, type: trigger.type, disabled: false };
      return { ...base, windows, updatedDate: now.toISOString() };
    });
    if (!fired) return undefined;
    occasion = fired;
  }

  const id = triggerExecutionId(key, ...occasion);
  const inputs = await renderTriggerInputs(trigger.inputs, triggerContext(fw, variables), triggerRenderOptions(deps, key.tenantId, key.namespace));
  await createTriggeredExecution(deps, {
    id,
    tenantId: key.tenantId,
    namespace: key.namespace,
    flowId: key.flowId,
    revision: fw.revision,
    inputs,
    labels: trigger.labels,
    trigger: { id: trigger.id, type: trigger.type, variables },
  });
  return id;
}
