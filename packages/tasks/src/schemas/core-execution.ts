import type { PluginDescriptor } from '@windhover/core';
import { anyMap, bool, descriptor, enumOf, labels, legacyCore, str, strList } from './schema-helpers';

const P = 'io.kestra.plugin.core.execution';

/** Execution tasks (core-spec §4.1). */
export const CORE_EXECUTION_DESCRIPTORS: readonly PluginDescriptor[] = [
  descriptor({
    type: `${P}.Fail`,
    aliases: [legacyCore('executions', 'Fail')],
    kind: 'task',
    category: 'runnable',
    title: 'Fail the task, optionally when a condition is true',
    properties: {
      condition: { description: 'Fail only when this is truthy', type: ['string', 'boolean', 'number'] },
      errorMessage: str('Error message', 'Task failure'),
    },
  }),
  descriptor({
    type: `${P}.Exit`,
    kind: 'task',
    category: 'execution-updatable',
    title: 'End the execution with a state',
    properties: {
      state: enumOf(['SUCCESS', 'WARNING', 'KILLED', 'FAILED', 'CANCELED'], 'Final state', 'SUCCESS'),
      condition: { description: 'Exit only when this is truthy', type: ['string', 'boolean', 'number'] },
    },
  }),
  descriptor({
    type: `${P}.Labels`,
    aliases: [legacyCore('executions', 'Labels')],
    kind: 'task',
    category: 'execution-updatable',
    title: 'Add or override execution labels',
    properties: { labels: labels('Labels to set') },
    required: ['labels'],
  }),
  descriptor({
    type: `${P}.SetVariables`,
    kind: 'task',
    category: 'execution-updatable',
    title: 'Set execution variables',
    properties: {
      variables: anyMap('Variables to merge into `vars`'),
      overwrite: bool('Overwrite existing variables', true),
    },
    required: ['variables'],
  }),
  descriptor({
    type: `${P}.UnsetVariables`,
    kind: 'task',
    category: 'execution-updatable',
    title: 'Remove execution variables',
    properties: {
      variables: strList('Variable names (dotted paths allowed)'),
      ignoreMissing: bool('Do not fail when a variable does not exist', false),
    },
    required: ['variables'],
  }),
  descriptor({
    type: `${P}.Assert`,
    kind: 'task',
    category: 'runnable',
    title: 'Fail when a condition is false',
    properties: {
      conditions: { description: 'Conditions that must all be true', type: 'array', items: { type: ['string', 'boolean'] } },
      errorMessage: str('Error message'),
    },
    required: ['conditions'],
  }),
  descriptor({
    type: `${P}.Resume`,
    kind: 'task',
    category: 'runnable',
    title: 'Resume a paused execution',
    properties: {
      executionId: str('Execution to resume (default: current)'),
      namespace: str('Namespace of the flow of the execution'),
      flowId: str('Flow id of the execution'),
      inputs: anyMap('onResume input values'),
    },
  }),
];
