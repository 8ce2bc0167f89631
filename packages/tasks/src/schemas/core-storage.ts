import type { PluginDescriptor } from '@windhover/core';
import { bool, descriptor, int, legacyCore, str } from './schema-helpers';

const P = 'io.kestra.plugin.core.storage';

/** Internal storage tasks (core-spec §4.4). */
export const CORE_STORAGE_DESCRIPTORS: readonly PluginDescriptor[] = [
  descriptor({
    type: `${P}.Write`,
    kind: 'task',
    category: 'runnable',
    title: 'Write content to a file in internal storage',
    properties: { content: str('Content to write'), extension: str('File extension, e.g. .txt', '.ion') },
    required: ['content'],
  }),
  descriptor({
    type: `${P}.Delete`,
    aliases: [legacyCore('storages', 'Delete')],
    kind: 'task',
    category: 'runnable',
    title: 'Delete a file from internal storage',
    properties: { uri: str('kestra:// URI'), errorOnMissing: bool('Fail when the file does not exist', false) },
    required: ['uri'],
  }),
  descriptor({
    type: `${P}.Size`,
    aliases: [legacyCore('storages', 'Size')],
    kind: 'task',
    category: 'runnable',
    title: 'Size of a file in internal storage',
    properties: { uri: str('kestra:// URI') },
    required: ['uri'],
  }),
  descriptor({
    type: `${P}.Concat`,
    aliases: [legacyCore('storages', 'Concat')],
    kind: 'task',
    category: 'runnable',
    title: 'Concatenate files',
    properties: {
      files: { description: 'kestra:// URIs: a list or a JSON array string', anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] },
      separator: str('Separator written between files'),
      extension: str('Extension of the result', '.tmp'),
    },
    required: ['files'],
  }),
  descriptor({
    type: `${P}.Split`,
    aliases: [legacyCore('storages', 'Split')],
    kind: 'task',
    category: 'runnable',
    title: 'Split a file into several files',
    properties: {
      from: str('kestra:// URI of the file to split'),
      bytes: { description: 'Bytes per file, e.g. 10MB, or a number', type: ['string', 'integer'] },
      partitions: int('Number of files', undefined, 1),
      rows: int('Rows per file', undefined, 1),
      separator: str('Line separator', '\n'),
    },
    required: ['from'],
  }),
  descriptor({
    type: `${P}.PurgeCurrentExecutionFiles`,
    aliases: [`${P}.PurgeExecution`, legacyCore('storages', 'PurgeExecution')],
    kind: 'task',
    category: 'runnable',
    title: 'Delete every file of the current execution',
    properties: {},
  }),
];
