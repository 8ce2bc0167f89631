import type { PluginDescriptor } from '@windhover/core';
import { bool, descriptor, enumOf, str, strOrList } from './schema-helpers';

const P = 'io.kestra.plugin.core.namespace';

/** Namespace file tasks (core-spec §4.0 LATER list; gitops-spec §2). */
export const NAMESPACE_DESCRIPTORS: readonly PluginDescriptor[] = [
  descriptor({
    type: `${P}.UploadFiles`,
    kind: 'task',
    category: 'runnable',
    title: 'Upload files to namespace files',
    properties: {
      namespace: str('Target namespace'),
      files: {
        description: 'Glob patterns of working-directory files to upload (e.g. `glob:**/dbt/**`), or a map of destination path -> kestra:// URI',
        anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'object', additionalProperties: { type: 'string' } }, { type: 'string' }],
      },
      filesMap: { description: 'Map of destination path -> kestra:// URI', anyOf: [{ type: 'object', additionalProperties: { type: 'string' } }, { type: 'string' }] },
      destination: str('Destination folder', '/'),
      conflict: enumOf(['OVERWRITE', 'ERROR', 'SKIP'], 'What to do when a file exists', 'OVERWRITE'),
    },
    required: ['namespace'],
  }),
  descriptor({
    type: `${P}.DownloadFiles`,
    kind: 'task',
    category: 'runnable',
    title: 'Download namespace files into internal storage',
    properties: {
      namespace: str('Source namespace'),
      files: strOrList('Glob patterns of files to download'),
      destination: str('Prefix added to the output file names', ''),
      folderPerNamespace: bool('Prefix each file with its namespace', false),
    },
    required: ['namespace', 'files'],
  }),
  descriptor({
    type: `${P}.DeleteFiles`,
    kind: 'task',
    category: 'runnable',
    title: 'Delete namespace files',
    properties: {
      namespace: str('Namespace'),
      files: strOrList('Glob patterns of files to delete'),
      deleteParentFolder: bool('Also delete folders left empty', false),
    },
    required: ['namespace', 'files'],
  }),
];
