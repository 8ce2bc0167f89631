export { runSchedulerTick, evaluateSchedule } from './scheduler-tick';
export type { SchedulerTickResult } from './scheduler-tick';
export { handleExecutionEnded, evaluateFlowTriggers } from './execution-ended';
export type { ExecutionEndedResult } from './execution-ended';
export type { TriggerDeps, TriggerExecutions, TriggerOptions, TriggeredExecutionRequest } from './trigger-deps';
