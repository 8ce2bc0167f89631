import type { PluginDescriptor } from '@windhover/core';
import { STATE_TYPES } from '@windhover/core';
import { HTTP_REQUEST_PROPERTIES } from './http';
import { bool, conditions, descriptor, duration, enumOf, int, obj, str, strList } from './schema-helpers';

const P = 'io.kestra.plugin.core.trigger';
const states = (description: string) => ({ description, type: 'array', items: { type: 'string', enum: [...STATE_TYPES] } });
const FILTER_TYPES = [
  'EQUAL_TO',
  'NOT_EQUAL_TO',
  'IS_NULL',
  'IS_NOT_NULL',
  'IS_TRUE',
  'IS_FALSE',
  'STARTS_WITH',
  'ENDS_WITH',
  'REGEX',
  'CONTAINS',
  'IN',
  'NOT_IN',
];
const ID_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9_-]*$';

/** Triggers (core-spec §5). Common trigger properties (conditions, inputs, labels, stopAfter, ...) are added by the flow schema. */
export const TRIGGER_DESCRIPTORS: readonly PluginDescriptor[] = [
  descriptor({
    type: `${P}.Schedule`,
    aliases: ['io.kestra.core.models.triggers.types.Schedule'],
    kind: 'trigger',
    title: 'Start executions on a cron schedule',
    properties: {
      cron: str('Cron expression (5 fields, 6 with withSeconds) or @hourly/@daily/@weekly/@monthly/@yearly'),
      withSeconds: bool('The cron has a leading seconds field', false),
      timezone: str('IANA time zone of the cron', 'UTC'),
      lateMaximumDelay: duration('Skip an execution that could not start within this delay'),
      recoverMissedSchedules: enumOf(['ALL', 'LAST', 'NONE'], 'Missed schedules to run after downtime', 'ALL'),
      backfill: obj({ start: str('Start date'), end: str('End date'), inputs: { type: 'object' }, labels: { type: 'array' } }, [], 'Deprecated: use the backfill API'),
      scheduleConditions: conditions('Legacy alias of conditions'),
      interval: duration('Deprecated'),
    },
    required: ['cron'],
  }),
  descriptor({
    type: `${P}.Webhook`,
    aliases: ['io.kestra.core.models.triggers.types.Webhook'],
    kind: 'trigger',
    title: 'Start executions from an HTTP call',
    properties: {
      key: { type: 'string', maxLength: 256, description: 'Secret key that is part of the webhook URL' },
      wait: bool('Respond when the execution ends', false),
      returnOutputs: bool('Respond with the flow outputs (requires wait)', false),
      responseContentType: enumOf(['application/json', 'text/plain'], 'Content type of the response', 'application/json'),
      responseCode: int('HTTP status of the response'),
      fetchType: enumOf(['FETCH', 'STORE', 'NONE'], 'What to do with the request body', 'FETCH'),
      signature: obj(
        {
          type: enumOf(['GITHUB', 'GITLAB', 'BITBUCKET', 'HMAC_SHA256'], 'How the caller signs: GITHUB/BITBUCKET/HMAC_SHA256 send sha256=<hex HMAC of the body>, GITLAB sends the secret'),
          secret: str("The shared secret, e.g. {{ secret('GITHUB_WEBHOOK_SECRET') }}"),
          header: str('Header holding the signature (default X-Hub-Signature-256, X-Gitlab-Token, X-Hub-Signature or X-Signature-256)'),
        },
        ['type', 'secret'],
        'Windhover extension: refuse (401) requests whose signature is missing or wrong',
      ),
    },
    required: ['key'],
  }),
  descriptor({
    type: `${P}.Flow`,
    aliases: ['io.kestra.core.models.triggers.types.Flow'],
    kind: 'trigger',
    title: 'Start executions when other executions change state',
    properties: {
      states: states('Execution states that fire (default: terminated states and PAUSED)'),
      preconditions: obj(
        {
          id: { type: 'string', pattern: ID_PATTERN, description: 'Id of the precondition' },
          flows: {
            type: 'array',
            items: obj(
              { namespace: str('Namespace'), flowId: str('Flow id'), states: states('States'), labels: { type: 'object' } },
              ['namespace'],
            ),
          },
          where: {
            type: 'array',
            items: obj(
              {
                id: str('Id of the filter group'),
                operand: enumOf(['AND', 'OR'], 'How filters combine', 'AND'),
                filters: {
                  type: 'array',
                  items: obj(
                    {
                      field: enumOf(['FLOW_ID', 'NAMESPACE', 'STATE', 'EXPRESSION'], 'Field'),
                      type: enumOf(FILTER_TYPES, 'Comparison'),
                      value: str('Value'),
                      values: strList('Values'),
                    },
                    ['field', 'type'],
                  ),
                },
              },
              ['filters'],
            ),
          },
          timeWindow: obj(
            {
              type: enumOf(['DURATION_WINDOW', 'SLIDING_WINDOW', 'DAILY_TIME_DEADLINE', 'DAILY_TIME_WINDOW'], 'Window type', 'DURATION_WINDOW'),
              window: duration('Window length', 'PT24H'),
              windowAdvance: duration('Window offset'),
              deadline: str('Daily deadline, e.g. 09:00:00+01:00'),
              startTime: str('Daily start time'),
              endTime: str('Daily end time'),
            },
            [],
            'Time window',
          ),
          resetOnSuccess: bool('Reset the state once all preconditions matched', true),
        },
        [],
        'Upstream executions that must all happen (in a time window)',
      ),
    },
  }),
  descriptor({
    type: 'io.kestra.plugin.core.http.Trigger',
    aliases: ['io.kestra.plugin.fs.http.Trigger'],
    kind: 'trigger',
    title: 'Poll an HTTP endpoint',
    properties: {
      ...HTTP_REQUEST_PROPERTIES,
      responseCondition: str('Fires when this renders true', '{{ response.statusCode < 400 }}'),
      interval: duration('Polling interval', 'PT60S'),
    },
    required: ['uri'],
  }),
];
