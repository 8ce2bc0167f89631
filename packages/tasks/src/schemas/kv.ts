import type { PluginDescriptor } from '@windhover/core';
import { anyValue, bool, descriptor, duration, enumOf, str } from './schema-helpers';

const P = 'io.kestra.plugin.core.kv';
const namespace = str('Namespace of the key', '{{ flow.namespace }}');

/** KV store tasks (core-spec §4.3). */
export const KV_DESCRIPTORS: readonly PluginDescriptor[] = [
  descriptor({
    type: `${P}.Set`,
    kind: 'task',
    category: 'runnable',
    title: 'Set a key-value pair',
    properties: {
      key: str('Key'),
      value: anyValue('Value to store'),
      namespace,
      overwrite: bool('Overwrite an existing key', true),
      ttl: duration('Time to live'),
      kvType: enumOf(['STRING', 'NUMBER', 'BOOLEAN', 'DATETIME', 'DATE', 'DURATION', 'JSON'], 'Type of the value'),
    },
    required: ['key', 'value'],
  }),
  descriptor({
    type: `${P}.Get`,
    kind: 'task',
    category: 'runnable',
    title: 'Get the value of a key',
    properties: { key: str('Key'), namespace, errorOnMissing: bool('Fail when the key does not exist', false) },
    required: ['key'],
  }),
  descriptor({
    type: `${P}.Delete`,
    kind: 'task',
    category: 'runnable',
    title: 'Delete a key',
    properties: { key: str('Key'), namespace, errorOnMissing: bool('Fail when the key does not exist', false) },
    required: ['key'],
  }),
  descriptor({
    type: `${P}.GetKeys`,
    kind: 'task',
    category: 'runnable',
    title: 'List the keys of a namespace',
    properties: { prefix: str('Only keys starting with this prefix'), namespace },
  }),
];
