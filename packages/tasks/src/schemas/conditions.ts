import type { JsonSchema, PluginDescriptor } from '@windhover/core';
import { STATE_TYPES } from '@windhover/core';
import { bool, conditions, descriptor, duration, enumOf, labels, obj, str } from './schema-helpers';

const P = 'io.kestra.plugin.core.condition';
const states = (description: string): JsonSchema => ({ description, type: 'array', items: { type: 'string', enum: [...STATE_TYPES] } });
const date = str('Date to test', '{{ trigger.date }}');
const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** A condition and its aliases: `<Name>`, legacy `<Name>Condition` (0.17-0.19) and `io.kestra.core.models.conditions.types.<Name>Condition`. */
function condition(name: string, title: string, properties: Record<string, JsonSchema>, required: readonly string[] = [], oldName = name) {
  return descriptor({
    type: `${P}.${name}`,
    aliases: [`${P}.${name}Condition`, `io.kestra.core.models.conditions.types.${oldName}Condition`],
    kind: 'condition',
    title,
    properties,
    required,
  });
}

/** Trigger conditions (core-spec §5.7). */
export const CONDITION_DESCRIPTORS: readonly PluginDescriptor[] = [
  condition('ExecutionStatus', 'Execution state is (not) in a list', { in: states('Allowed states'), notIn: states('Forbidden states') }),
  condition('ExecutionNamespace', 'Execution namespace matches', {
    namespace: str('Namespace'),
    comparison: enumOf(['EQUALS', 'PREFIX', 'SUFFIX'], 'Comparison', 'EQUALS'),
    prefix: bool('Deprecated: use comparison PREFIX', false),
  }, ['namespace']),
  condition('ExecutionFlow', 'Execution is of a flow', { namespace: str('Namespace'), flowId: str('Flow id') }, ['namespace', 'flowId']),
  condition('ExecutionLabels', 'Execution has labels', { labels: labels('Labels the execution must have') }, ['labels']),
  condition('ExecutionOutputs', 'Expression over the execution outputs is true', { expression: str('Expression') }, ['expression']),
  condition('Expression', 'Expression is true', { expression: str('Expression') }, ['expression'], 'Variable'),
  condition('HasRetryAttempt', 'Execution had retries', { in: states('States'), notIn: states('States') }),
  condition('MultipleCondition', 'Several conditions met within a window', {
    id: str('Id'),
    conditions: { type: 'object', additionalProperties: { $ref: '#/$defs/condition' }, description: 'Conditions by id' },
    timeWindow: obj({ type: str('Window type'), window: duration('Window'), windowAdvance: duration('Offset'), deadline: str('Deadline'), startTime: str('Start'), endTime: str('End') }),
    window: duration('Deprecated: window length'),
    windowAdvance: duration('Deprecated: window offset'),
    resetOnSuccess: bool('Reset once matched', true),
  }, ['conditions']),
  condition('Not', 'None of the conditions is true', { conditions: conditions() }, ['conditions']),
  condition('Or', 'One of the conditions is true', { conditions: conditions() }, ['conditions']),
  condition('DateTimeBetween', 'Date is between two dates', { date, after: str('After (ISO-8601)'), before: str('Before (ISO-8601)') }),
  condition('DayWeek', 'Date is a day of the week', { date, dayOfWeek: enumOf(DAYS, 'Day of the week') }, ['dayOfWeek']),
  condition('DayWeekInMonth', 'Date is the nth day of the week of the month', {
    date,
    dayOfWeek: enumOf(DAYS, 'Day of the week'),
    dayInMonth: enumOf(['FIRST', 'LAST', 'SECOND', 'THIRD', 'FOURTH'], 'Which one in the month'),
  }, ['dayOfWeek', 'dayInMonth']),
  condition('Weekend', 'Date is on a weekend', { date }),
  condition('PublicHoliday', 'Date is a public holiday', { date, country: str('ISO country code'), subDivision: str('Region') }),
  condition('TimeBetween', 'Time is between two times', { date, after: str('After (HH:mm:ss)'), before: str('Before (HH:mm:ss)') }),
];
