import type { Execution, FlowIndex, JsonValue, PluginRegistry, RunContext, TaskDefinition, TaskRun } from '@windhover/core';
import { type SharedWorkingDirectory, collectFiles, openSharedWorkingDirectory, sharedWorkingDirectoryPath } from '@windhover/tasks';
import type { RuntimePorts } from '../runtime-ports';
import { taskRunPrefix } from './output-store';

const WORKING_DIRECTORY = 'io.kestra.plugin.core.flow.WorkingDirectory';

/** The WorkingDirectory task run a task run belongs to (its direct parent), if any. */
export function workingDirectoryParent(execution: Execution, run: TaskRun, index: FlowIndex, registry: PluginRegistry): { run: TaskRun; task: TaskDefinition } | undefined {
  if (!run.parentTaskRunId) return undefined;
  const parent = execution.taskRunList.find((r) => r.id === run.parentTaskRunId);
  const task = parent ? index.get(parent.taskId)?.task : undefined;
  if (!parent || !task) return undefined;
  const canonical = registry.get(task.type)?.type ?? task.type;
  return canonical === WORKING_DIRECTORY ? { run: parent, task } : undefined;
}

/**
 * Gives a child of a WorkingDirectory the folder its siblings left: the
 * folder travels between task runs as a bundle stored next to the
 * WorkingDirectory's task run, so any worker (another Lambda, another
 * process) can pick up where the previous child stopped.
 */
export class WorkingDirectorySession {
  readonly path: string;
  #dir: SharedWorkingDirectory | undefined;

  constructor(
    private readonly ports: RuntimePorts,
    private readonly execution: Execution,
    private readonly parent: { run: TaskRun; task: TaskDefinition },
    key: string,
  ) {
    this.path = sharedWorkingDirectoryPath(key);
  }

  get #bundleUri(): string {
    const { execution, parent } = this;
    return `${taskRunPrefix(execution.namespace, execution.flowId, execution.id, parent.run.taskId, parent.run.id)}/working-directory.bundle`;
  }

  /** Restores the siblings' files, or stages the WorkingDirectory's inputFiles/namespaceFiles for its first child. */
  async open(ctx: RunContext): Promise<void> {
    const uri = this.#bundleUri;
    const bundle = (await this.ports.storage.exists(uri)) ? await this.ports.storage.get(uri) : undefined;
    this.#dir = await openSharedWorkingDirectory(this.path, bundle, bundle ? undefined : { task: this.parent.task, ctx });
  }

  /**
   * The WorkingDirectory's own `outputFiles` as they are in the folder now,
   * uploaded next to its task run: the parent's outputs after this child.
   */
  async collectOutputFiles(ctx: RunContext): Promise<{ taskRunId: string; outputs: Record<string, JsonValue> } | undefined> {
    const globs = this.parent.task.outputFiles === undefined ? [] : await ctx.render(this.parent.task.outputFiles, { workingDir: this.path });
    const list = (Array.isArray(globs) ? globs : [globs]).filter((g): g is string => typeof g === 'string');
    if (list.length === 0) return undefined;
    const { execution, parent } = this;
    const prefix = taskRunPrefix(execution.namespace, execution.flowId, execution.id, parent.run.taskId, parent.run.id);
    const outputFiles: Record<string, JsonValue> = {};
    for (const [name, content] of await collectFiles(this.path, `${this.path}/.windhover-no-output-dir`, list)) {
      const uri = `${prefix}/${name}`;
      await this.ports.storage.put(uri, content);
      outputFiles[name] = uri;
    }
    return { taskRunId: parent.run.id, outputs: { outputFiles } };
  }

  /** Saves the folder for the next child and removes it from this worker. */
  async close(): Promise<void> {
    if (!this.#dir) return;
    try {
      await this.ports.storage.put(this.#bundleUri, await this.#dir.snapshot());
    } finally {
      await this.#dir.dispose();
    }
  }
}
