import type { PluginDescriptor } from '@windhover/core';
import { anyMap, descriptor, enumOf, legacyCore, str, strList, strOrList } from './schema-helpers';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** Log, Fetch, Return and OutputValues (core-spec §4.1, §4.6). */
export const CORE_BASIC_DESCRIPTORS: readonly PluginDescriptor[] = [
  descriptor({
    type: 'io.kestra.plugin.core.log.Log',
    aliases: [legacyCore('log', 'Log')],
    kind: 'task',
    category: 'runnable',
    title: 'Log a message',
    properties: {
      message: strOrList('Message to log; a list logs one line per item'),
      level: enumOf(LEVELS, 'Log level', 'INFO'),
    },
    required: ['message'],
  }),
  descriptor({
    type: 'io.kestra.plugin.core.log.Fetch',
    aliases: [legacyCore('log', 'Fetch')],
    kind: 'task',
    category: 'runnable',
    title: 'Fetch the logs of an execution into an ION file',
    properties: {
      executionId: str('Execution whose logs to fetch (default: current)'),
      namespace: str('Namespace of the flow (with flowId)'),
      flowId: str('Flow id (with namespace)'),
      tasksId: strList('Only logs of these task ids'),
      level: enumOf(LEVELS, 'Minimum level', 'INFO'),
    },
  }),
  descriptor({
    type: 'io.kestra.plugin.core.debug.Return',
    aliases: ['io.kestra.core.tasks.debugs.Return'],
    kind: 'task',
    category: 'runnable',
    title: 'Return a rendered value',
    properties: { format: str('Value to render and return as output `value`') },
  }),
  descriptor({
    type: 'io.kestra.plugin.core.output.OutputValues',
    aliases: ['io.kestra.core.tasks.outputs.OutputValues'],
    kind: 'task',
    category: 'runnable',
    title: 'Output values',
    properties: { values: anyMap('Values to output (strings are rendered)') },
  }),
];
