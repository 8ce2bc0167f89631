/** Execution and task-run states, exactly Kestra's names (core-spec §3). */
export const STATE_TYPES = [
  'CREATED',
  'QUEUED',
  'SUBMITTED',
  'RUNNING',
  'PAUSED',
  'RESTARTED',
  'RETRYING',
  'RETRIED',
  'KILLING',
  'SUCCESS',
  'WARNING',
  'FAILED',
  'KILLED',
  'CANCELLED',
  'SKIPPED',
] as const;
export type StateType = (typeof STATE_TYPES)[number];

export interface StateHistory {
  readonly state: StateType;
  /** ISO-8601 instant. */
  readonly date: string;
}

/** Kestra's `State` object, shared by executions, task runs and attempts. */
export interface State {
  readonly current: StateType;
  readonly histories: readonly StateHistory[];
  /** ISO-8601 duration from the first history to endDate (or to the last transition). */
  readonly duration?: string;
  readonly startDate: string;
  readonly endDate?: string;
}

const TERMINATED: ReadonlySet<StateType> = new Set(['FAILED', 'WARNING', 'SUCCESS', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED']);
const TERMINATED_NO_FAIL: ReadonlySet<StateType> = new Set(['WARNING', 'SUCCESS', 'RETRIED', 'SKIPPED']);

export const isTerminated = (s: StateType): boolean => TERMINATED.has(s);
export const isTerminatedNoFail = (s: StateType): boolean => TERMINATED_NO_FAIL.has(s);
export const isFailed = (s: StateType): boolean => s === 'FAILED';
export const isCreated = (s: StateType): boolean => s === 'CREATED' || s === 'RESTARTED';
export const isRunning = (s: StateType): boolean => s === 'RUNNING' || s === 'KILLING';
export const isPaused = (s: StateType): boolean => s === 'PAUSED';
