import { describe, expect, it } from 'vitest';
import type { Execution } from '../model/execution';
import type { StateType } from '../model/state';
import { type ConditionContext, type ConditionDefinition, conditionKind, conditionsMatch, evaluateCondition } from './conditions';

const C = 'io.kestra.plugin.core.condition.';

const at = (date: string, extra: Partial<ConditionContext> = {}): ConditionContext => ({
  flow: { tenantId: 'main', namespace: 'company.team', id: 'f' },
  variables: { trigger: { date } },
  ...extra,
});

const execution = (over: Partial<Execution> & { state?: Execution['state'] } = {}): Execution => ({
  tenantId: 'main',
  id: 'e1',
  namespace: 'company.team.data',
  flowId: 'etl',
  flowRevision: 1,
  state: { current: 'SUCCESS', histories: [], startDate: '2026-01-01T00:00:00Z' },
  taskRunList: [],
  labels: [{ key: 'env', value: 'prod' }],
  originalId: 'e1',
  metadata: { attemptNumber: 1, originalCreatedDate: '2026-01-01T00:00:00Z' },
  deleted: false,
  ...over,
});

const withExecution = (e: Execution): ConditionContext => ({ ...at('2026-01-01T00:00:00Z'), execution: e, variables: { trigger: {} } });
const state = (current: StateType): Execution['state'] => ({ current, histories: [], startDate: '2026-01-01T00:00:00Z' });
const check = (c: ConditionDefinition, ctx: ConditionContext) => evaluateCondition(c, ctx);

describe('conditions', () => {
  it('resolves current, renamed and legacy type names', () => {
    expect(conditionKind(`${C}DayWeek`)).toBe('DayWeek');
    expect(conditionKind(`${C}ExecutionStatusCondition`)).toBe('ExecutionStatus');
    expect(conditionKind('io.kestra.core.models.conditions.types.FlowNamespaceCondition')).toBe('ExecutionNamespace');
    expect(conditionKind(`${C}MultipleCondition`)).toBe('MultipleCondition');
    expect(conditionKind('io.kestra.plugin.core.condition.Nope')).toBeUndefined();
    expect(conditionKind('com.example.DayWeek')).toBeUndefined();
  });

  it('DayWeek reads the day in the date own offset', async () => {
    const c = { type: `${C}DayWeek`, dayOfWeek: 'THURSDAY' };
    expect(await check(c, at('2026-06-18T10:00:00Z'))).toBe(true);
    // Friday 01:00 in Tokyo is still Thursday in UTC, but the date says Friday.
    expect(await check(c, at('2026-06-19T01:00:00+09:00'))).toBe(false);
    expect(await check({ ...c, date: '2026-06-25T23:30:00-05:00' }, at('2026-01-01T00:00:00Z'))).toBe(true);
  });

  it('DayWeekInMonth picks the first, nth and last weekday of the month', async () => {
    const first = { type: `${C}DayWeekInMonth`, dayOfWeek: 'MONDAY', dayInMonth: 'FIRST' };
    expect(await check(first, at('2026-02-02T11:00:00Z'))).toBe(true);
    expect(await check(first, at('2026-02-09T11:00:00Z'))).toBe(false);
    expect(await check({ ...first, dayInMonth: 'SECOND' }, at('2026-02-09T11:00:00Z'))).toBe(true);
    expect(await check({ ...first, dayInMonth: 'LAST' }, at('2026-02-23T11:00:00Z'))).toBe(true);
    expect(await check({ ...first, dayInMonth: 'LAST' }, at('2026-02-16T11:00:00Z'))).toBe(false);
    await expect(check({ ...first, dayInMonth: 'FIFTH' }, at('2026-02-02T11:00:00Z'))).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('Weekend is Saturday and Sunday', async () => {
    const c = { type: `${C}Weekend` };
    expect(await check(c, at('2026-06-20T10:00:00Z'))).toBe(true);
    expect(await check(c, at('2026-06-21T23:59:00Z'))).toBe(true);
    expect(await check(c, at('2026-06-22T00:00:00Z'))).toBe(false);
  });

  it('DateTimeBetween and TimeBetween use strict bounds, with offsets', async () => {
    const dt = { type: `${C}DateTimeBetween`, after: '2026-01-01T00:00:00Z', before: '2026-02-01T00:00:00+01:00' };
    expect(await check(dt, at('2026-01-15T00:00:00Z'))).toBe(true);
    expect(await check(dt, at('2026-01-01T00:00:00Z'))).toBe(false);
    expect(await check(dt, at('2026-01-31T23:30:00Z'))).toBe(false);
    const t = { type: `${C}TimeBetween`, after: '09:00:00+02:00', before: '17:00:00+02:00' };
    expect(await check(t, at('2026-06-18T08:00:00Z'))).toBe(true);
    expect(await check(t, at('2026-06-18T10:00:00+02:00'))).toBe(true);
    expect(await check(t, at('2026-06-18T07:00:00Z'))).toBe(false);
    expect(await check(t, at('2026-06-18T16:00:00Z'))).toBe(false);
    expect(await check({ type: `${C}TimeBetween`, after: '09:00:00' }, at('2026-06-18T09:30:00+02:00'))).toBe(true);
  });

  it('PublicHoliday asks the holiday calendar with the local date', async () => {
    const asked: unknown[] = [];
    const holidays = {
      isHoliday: (d: { year: number; month: number; day: number }, country: string, sub?: string) => {
        asked.push([d, country, sub]);
        return d.month === 7 && d.day === 14 && country === 'FR';
      },
    };
    const c = { type: `${C}PublicHoliday`, country: 'FR' };
    expect(await check(c, at('2026-07-14T00:30:00+02:00', { holidays }))).toBe(true);
    expect(await check(c, at('2026-07-13T22:30:00Z', { holidays }))).toBe(false);
    expect(await check({ ...c, subDivision: 'BY', country: 'DE' }, at('2026-07-14T10:00:00Z', { holidays }))).toBe(false);
    expect(asked[2]).toEqual([{ year: 2026, month: 7, day: 14 }, 'DE', 'BY']);
  });

  it('execution conditions: status, namespace, flow, labels, retries', async () => {
    const e = execution();
    expect(await check({ type: `${C}ExecutionStatus`, in: ['SUCCESS', 'WARNING'] }, withExecution(e))).toBe(true);
    expect(await check({ type: `${C}ExecutionStatus`, notIn: ['SUCCESS'] }, withExecution(e))).toBe(false);
    expect(await check({ type: `${C}ExecutionNamespace`, namespace: 'company.team.data' }, withExecution(e))).toBe(true);
    expect(await check({ type: `${C}ExecutionNamespace`, namespace: 'company' }, withExecution(e))).toBe(false);
    expect(await check({ type: `${C}ExecutionNamespace`, namespace: 'company', comparison: 'PREFIX' }, withExecution(e))).toBe(true);
    expect(await check({ type: `${C}ExecutionNamespace`, namespace: '.data', comparison: 'SUFFIX' }, withExecution(e))).toBe(true);
    expect(await check({ type: `${C}ExecutionFlow`, namespace: 'company.team.data', flowId: 'etl' }, withExecution(e))).toBe(true);
    expect(await check({ type: `${C}ExecutionFlow`, namespace: 'company.team.data', flowId: 'other' }, withExecution(e))).toBe(false);
    expect(await check({ type: `${C}ExecutionLabels`, labels: { env: 'prod' } }, withExecution(e))).toBe(true);
    expect(await check({ type: `${C}ExecutionLabels`, labels: [{ key: 'env', value: 'dev' }] }, withExecution(e))).toBe(false);
    const retried = execution({
      taskRunList: [
        {
          id: 't',
          executionId: 'e1',
          namespace: 'n',
          flowId: 'f',
          taskId: 't',
          state: state('SUCCESS'),
          attempts: [{ state: state('FAILED') }, { state: state('SUCCESS') }],
        },
      ],
    });
    expect(await check({ type: `${C}HasRetryAttempt`, in: ['FAILED'] }, withExecution(retried))).toBe(true);
    expect(await check({ type: `${C}HasRetryAttempt` }, withExecution(e))).toBe(false);
    await expect(check({ type: `${C}ExecutionStatus`, in: ['SUCCESS'] }, at('2026-01-01T00:00:00Z'))).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('Not is true when none match, Or when one does; a list needs all', async () => {
    const sat = { type: `${C}DayWeek`, dayOfWeek: 'SATURDAY' };
    const sun = { type: `${C}DayWeek`, dayOfWeek: 'SUNDAY' };
    const saturday = at('2026-06-20T10:00:00Z');
    expect(await check({ type: `${C}Or`, conditions: [sat, sun] }, saturday)).toBe(true);
    expect(await check({ type: `${C}Not`, conditions: [sat, sun] }, saturday)).toBe(false);
    expect(await check({ type: `${C}Not`, conditions: [sun] }, saturday)).toBe(true);
    expect(await conditionsMatch([sat, { type: `${C}Weekend` }], saturday)).toBe(true);
    expect(await conditionsMatch([sat, sun], saturday)).toBe(false);
    expect(await conditionsMatch([], saturday)).toBe(true);
  });

  it('Expression and ExecutionOutputs render Pebble and judge truthiness', async () => {
    const ctx = { ...at('2026-06-20T10:00:00Z'), variables: { trigger: { body: { ref: 'refs/heads/main' } } } };
    expect(await check({ type: `${C}Expression`, expression: "{{ trigger.body.ref == 'refs/heads/main' }}" }, ctx)).toBe(true);
    expect(await check({ type: `${C}Expression`, expression: "{{ trigger.body.ref | startsWith('refs/tags') }}" }, ctx)).toBe(false);
    const e = execution({ outputs: { count: 3 } });
    expect(await check({ type: `${C}ExecutionOutputs`, expression: '{{ outputs.count > 2 }}' }, withExecution(e))).toBe(true);
    expect(await check({ type: `${C}ExecutionOutputs`, expression: '{{ outputs.count > 5 }}' }, withExecution(e))).toBe(false);
    expect(await check({ type: `${C}ExecutionOutputs`, expression: '{{ true }}' }, withExecution(execution()))).toBe(false);
  });

  it('refuses unknown types and a date that is not one', async () => {
    await expect(check({ type: `${C}Nope` }, at('2026-01-01T00:00:00Z'))).rejects.toMatchObject({ code: 'INVALID' });
    await expect(check({ type: `${C}Weekend` }, at('yesterday'))).rejects.toMatchObject({ code: 'INVALID' });
  });
});
