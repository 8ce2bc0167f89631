import type { PluginDescriptor, RunnableTaskPlugin } from '@windhover/core';
import { SCRIPT_DESCRIPTORS } from '../schemas/scripts';
import { NODE, PYTHON, SHELL } from './languages';
import { runScript, type ScriptLanguage } from './script-task';

export { ProcessTaskRunner } from './process-runner';
export type { ProcessRunnerOptions } from './process-runner';
export { parseProtocolLine } from './output-protocol';
export { resolveNamespaceFiles } from './namespace-files';
export { collectFiles, stageFiles, safeRelativePath } from './staging';
export { PROCESS_RUNNER, DOCKER_RUNNER } from './script-task';
export { openSharedWorkingDirectory, sharedWorkingDirectoryPath } from './shared-working-directory';
export type { SharedWorkingDirectory } from './shared-working-directory';
export { packDirectory, unpackDirectory } from './directory-bundle';

const LANGUAGES: Readonly<Record<string, ScriptLanguage>> = { shell: SHELL, python: PYTHON, node: NODE };

const scriptTask = (d: PluginDescriptor): RunnableTaskPlugin => {
  const [, lang, kind] = /^io\.kestra\.plugin\.scripts\.(\w+)\.(Commands|Script)$/.exec(d.type) ?? [];
  const language = lang ? LANGUAGES[lang] : undefined;
  if (!language) throw new Error(`no script language for ${d.type}`);
  return {
    ...d,
    kind: 'task',
    category: 'runnable',
    run: (task, ctx) => runScript(task, ctx, kind === 'Script' ? { script: task.script } : { commands: task.commands }, language),
  };
};

/** shell, python and node Commands and Script tasks (io.kestra.plugin.scripts.*). */
export const SCRIPT_TASKS: readonly RunnableTaskPlugin[] = SCRIPT_DESCRIPTORS.map(scriptTask);
