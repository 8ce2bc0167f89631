import type { JsonSchema, PluginDescriptor } from '@windhover/core';
import {
  anyMap,
  bool,
  descriptor,
  enumOf,
  inputFilesSchema,
  namespaceFilesSchema,
  str,
  strList,
  strMap,
  taskRunner,
} from './schema-helpers';

/** Properties of every script task (core-spec §4.8). */
const scriptProperties = (defaultImage: string): Record<string, JsonSchema> => ({
  beforeCommands: strList('Commands run before the main commands (same shell)'),
  interpreter: { ...strList('Command wrapper'), default: ['/bin/sh', '-c'] },
  failFast: bool('Stop at the first failing command (set -e)', true),
  env: strMap('Extra environment variables'),
  containerImage: str('Container image for container-based task runners', defaultImage),
  taskRunner: taskRunner('Where the script runs (default: Docker)'),
  inputFiles: inputFilesSchema(),
  outputFiles: strList('Glob patterns of files to upload to internal storage'),
  namespaceFiles: namespaceFilesSchema(),
  targetOS: enumOf(['LINUX', 'WINDOWS', 'AUTO'], 'Operating system of the runner', 'AUTO'),
  warningOnStdErr: bool('Deprecated since 0.23: no effect'),
  outputDirectory: bool('Deprecated: enable {{ outputDir }}'),
  dependencies: strList('Packages installed before running'),
  dependencyCacheEnabled: bool('Cache installed dependencies', true),
  runner: enumOf(['PROCESS', 'DOCKER'], 'Deprecated: use taskRunner'),
  docker: anyMap('Deprecated: use taskRunner with the Docker runner'),
});

const languages = [
  { lang: 'shell', image: 'ubuntu', title: 'Shell' },
  { lang: 'python', image: 'python:3.13-slim', title: 'Python' },
  { lang: 'node', image: 'node', title: 'Node.js' },
] as const;

export const SCRIPT_DESCRIPTORS: readonly PluginDescriptor[] = languages.flatMap(({ lang, image, title }) => [
  descriptor({
    type: `io.kestra.plugin.scripts.${lang}.Commands`,
    kind: 'task',
    category: 'runnable',
    title: `Run ${title} commands`,
    properties: { ...scriptProperties(image), commands: strList('Commands to run') },
    required: ['commands'],
  }),
  descriptor({
    type: `io.kestra.plugin.scripts.${lang}.Script`,
    kind: 'task',
    category: 'runnable',
    title: `Run an inline ${title} script`,
    properties: { ...scriptProperties(image), script: str('Inline script') },
    required: ['script'],
  }),
]);
