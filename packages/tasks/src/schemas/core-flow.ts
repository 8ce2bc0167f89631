import type { PluginDescriptor } from '@windhover/core';
import {
  anyMap,
  bool,
  descriptor,
  duration,
  enumOf,
  inputFilesSchema,
  inputs,
  int,
  labels,
  legacyCore,
  namespaceFilesSchema,
  obj,
  str,
  strList,
  task,
  tasks,
} from './schema-helpers';

const P = 'io.kestra.plugin.core.flow';

/** `errors` and `finally` of every flowable task (local error and finally branches). */
const branches = {
  errors: tasks('Tasks run when a child task fails'),
  finally: tasks('Tasks always run after the children'),
};

const restartBehavior = enumOf(['RETRY_FAILED', 'NEW_EXECUTION'], 'What restarting the parent does with this child', 'RETRY_FAILED');

/** Properties shared by Subflow and ForEachItem (core-spec §4.2, §6.10). */
const subflowCall = {
  namespace: str('Namespace of the flow to execute'),
  flowId: str('Id of the flow to execute'),
  revision: int('Revision of the flow to execute (default: latest)', undefined, 1),
  inputs: anyMap('Inputs passed to the child execution'),
  labels: labels('Labels added to the child execution'),
  wait: bool('Wait for the child execution to end', true),
  transmitFailed: bool('Fail this task when the child execution fails (requires wait)', true),
  inheritLabels: bool("Copy this execution's labels to the child", false),
  scheduleDate: str('Date at which the child execution starts (ISO-8601)'),
  restartBehavior,
};

export const CORE_FLOW_DESCRIPTORS: readonly PluginDescriptor[] = [
  descriptor({
    type: `${P}.Sequential`,
    aliases: [legacyCore('flows', 'Sequential')],
    kind: 'task',
    category: 'flowable',
    title: 'Run tasks one after the other',
    properties: { tasks: tasks(), ...branches },
    required: ['tasks'],
  }),
  descriptor({
    type: `${P}.Parallel`,
    aliases: [legacyCore('flows', 'Parallel')],
    kind: 'task',
    category: 'flowable',
    title: 'Run tasks in parallel',
    properties: { tasks: tasks(), concurrent: int('Maximum tasks running at once (0 = unlimited)', 0, 0), ...branches },
    required: ['tasks'],
  }),
  descriptor({
    type: `${P}.ForEach`,
    kind: 'task',
    category: 'flowable',
    title: 'Run tasks once per value',
    properties: {
      values: { description: 'Values to iterate over: a list or a JSON array string', anyOf: [{ type: 'array' }, { type: 'string' }] },
      concurrencyLimit: int('Iterations running at once (0 = unlimited, 1 = sequential)', 1, 0),
      tasks: tasks(),
      ...branches,
    },
    required: ['values', 'tasks'],
  }),
  descriptor({
    type: `${P}.If`,
    aliases: [legacyCore('flows', 'If')],
    kind: 'task',
    category: 'flowable',
    title: 'Run tasks when a condition is true',
    properties: {
      condition: { description: 'Condition (falsy: false, 0, -0, null, empty string)', type: ['string', 'boolean', 'number'] },
      // biome-ignore lint/suspicious/noThenProperty: `then` is the If task's property name in Kestra's flow language.
      then: tasks('Tasks run when the condition is true'),
      else: tasks('Tasks run when the condition is false'),
      ...branches,
    },
    required: ['condition', 'then'],
  }),
  descriptor({
    type: `${P}.Switch`,
    aliases: [legacyCore('flows', 'Switch')],
    kind: 'task',
    category: 'flowable',
    title: 'Run the tasks of the case matching a value',
    properties: {
      value: { description: 'Value to match (rendered to a string)', type: ['string', 'number', 'boolean'] },
      cases: { description: 'Tasks per case value', type: 'object', additionalProperties: { $ref: '#/$defs/tasks' } },
      defaults: tasks('Tasks run when no case matches'),
      default: tasks('Alias of `defaults` used by some documentation examples'),
      ...branches,
    },
    required: ['value'],
  }),
  descriptor({
    type: `${P}.AllowFailure`,
    aliases: [legacyCore('flows', 'AllowFailure')],
    kind: 'task',
    category: 'flowable',
    title: 'Let child failures end this task in WARNING',
    properties: { tasks: tasks(), ...branches },
    required: ['tasks'],
  }),
  descriptor({
    type: `${P}.Dag`,
    aliases: [legacyCore('flows', 'Dag')],
    kind: 'task',
    category: 'flowable',
    title: 'Run tasks along a dependency graph',
    properties: {
      tasks: {
        description: 'Tasks with the ids of the tasks they depend on',
        type: 'array',
        minItems: 1,
        items: obj({ task: task(), dependsOn: strList('Ids of tasks of this Dag that must succeed first') }, ['task']),
      },
      concurrent: int('Maximum tasks running at once (0 = unlimited)', 0, 0),
      ...branches,
    },
    required: ['tasks'],
  }),
  descriptor({
    type: `${P}.LoopUntil`,
    aliases: [`${P}.WaitFor`],
    kind: 'task',
    category: 'flowable',
    title: 'Repeat tasks until a condition is true',
    properties: {
      condition: { description: 'Evaluated after each iteration; the loop stops when it is true', type: ['string', 'boolean'] },
      tasks: tasks(),
      failOnMaxReached: bool('Fail when maxIterations or maxDuration is reached', false),
      checkFrequency: obj(
        {
          interval: duration('Delay between iterations', 'PT1M'),
          maxIterations: int('Maximum iterations (default unlimited)', undefined, 1),
          maxDuration: duration('Maximum total duration (default unlimited)'),
        },
        [],
        'How often and how long to loop',
      ),
      ...branches,
    },
    required: ['condition', 'tasks'],
  }),
  descriptor({
    type: `${P}.Subflow`,
    aliases: [legacyCore('flows', 'Subflow'), legacyCore('flows', 'Flow')],
    kind: 'task',
    category: 'executable',
    title: 'Execute another flow',
    properties: {
      ...subflowCall,
      outputs: anyMap('Deprecated: outputs extracted from the child execution'),
    },
    required: ['namespace', 'flowId'],
  }),
  descriptor({
    type: `${P}.ForEachItem`,
    aliases: [legacyCore('flows', 'ForEachItem')],
    kind: 'task',
    category: 'flowable',
    title: 'Execute a subflow for each batch of items of a file',
    properties: {
      items: str('kestra:// URI of a line-oriented file (usually ION)'),
      batch: obj(
        {
          rows: int('Rows per batch', 1, 1),
          bytes: str('Bytes per batch, e.g. 10MB'),
          partitions: int('Number of batches', undefined, 1),
          separator: str('Line separator', '\n'),
        },
        [],
        'How to split the file (one of rows, bytes, partitions)',
      ),
      ...subflowCall,
      ...branches,
    },
    required: ['items', 'namespace', 'flowId'],
  }),
  descriptor({
    type: `${P}.Pause`,
    aliases: [legacyCore('flows', 'Pause')],
    kind: 'task',
    category: 'flowable',
    title: 'Pause the execution until resumed or a duration elapses',
    properties: {
      pauseDuration: duration('How long to pause (default: until resumed)'),
      delay: duration('Deprecated alias of pauseDuration'),
      behavior: enumOf(['RESUME', 'WARN', 'FAIL', 'CANCEL'], 'What happens when pauseDuration elapses', 'RESUME'),
      onResume: inputs('Inputs asked when resuming'),
      tasks: tasks('Deprecated: tasks run after the pause'),
      ...branches,
    },
  }),
  descriptor({
    type: `${P}.Sleep`,
    kind: 'task',
    category: 'runnable',
    title: 'Wait for a duration',
    properties: { duration: duration('How long to wait') },
    required: ['duration'],
  }),
  descriptor({
    type: `${P}.WorkingDirectory`,
    aliases: [legacyCore('flows', 'WorkingDirectory')],
    kind: 'task',
    category: 'flowable',
    title: 'Run tasks in one shared working directory',
    properties: {
      tasks: tasks(),
      inputFiles: inputFilesSchema(),
      outputFiles: strList('Glob patterns of files to upload to internal storage after the tasks'),
      namespaceFiles: namespaceFilesSchema(),
      cache: obj({ patterns: strList('Glob patterns of files to cache'), ttl: duration('How long the cache lives') }, ['patterns']),
      ...branches,
    },
    required: ['tasks'],
  }),
];
