export { CronSchedule } from './cron-schedule';
export type { CronSpec } from './cron-schedule';
export { conditionKind, conditionsMatch, evaluateCondition, isStatefulCondition, CONDITION_KINDS } from './conditions';
export type { ConditionContext, ConditionDefinition, ConditionKind, HolidayCalendar } from './conditions';
export {
  SCHEDULE_TRIGGER_TYPES,
  WEBHOOK_TRIGGER_TYPES,
  FLOW_TRIGGER_TYPES,
  isScheduleTrigger,
  isWebhookTrigger,
  isFlowTrigger,
  readScheduleTrigger,
  readLabels,
  readStates,
} from './schedule-trigger';
export type { ScheduleTrigger, RecoverMissedSchedules } from './schedule-trigger';
export { planScheduleTick, TICK_MS, MAX_SLOTS_PER_TICK } from './schedule-planner';
export type { SchedulePlan, SchedulePlanInput, NewTriggerState } from './schedule-planner';
export { scheduleVariables, releaseScheduleLock } from './schedule-variables';
export type { ScheduleVariables } from './schedule-variables';
export { triggerExecutionId } from './trigger-ids';
export { readTimeWindow, windowAt } from './time-window';
export type { TimeWindow, TimeWindowType, WindowAt } from './time-window';
export {
  readFlowTrigger,
  flowTriggerAccepts,
  matchingKeys,
  applyToWindow,
  flowTriggerVariables,
  FLOW_TRIGGER_DEFAULT_STATES,
} from './flow-trigger';
export type { FlowTrigger, Precondition, PreconditionKey, WhereFilter, WindowDecision } from './flow-trigger';
export { formatZoned, parseZoned, parseIsoDuration, parseTimeOfDay, localFields, zoneOffsetMinutes, isValidTimeZone } from './zoned-time';
export type { LocalFields, ZonedDate } from './zoned-time';
