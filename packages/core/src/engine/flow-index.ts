import type { Flow, TaskDefinition } from '../model/flow';

/** Where a task sits in the flow: its parent task (if any) and the branch it belongs to. */
export interface IndexedTask {
  readonly task: TaskDefinition;
  readonly parentTaskId?: string;
  /** `tasks`, `errors`, `finally`, `afterExecution`, `then`, `else`, `cases.<key>`, `defaults`, `dag`. */
  readonly branch: string;
}

const isTask = (v: unknown): v is TaskDefinition =>
  typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' && typeof (v as { type?: unknown }).type === 'string';

export const asTaskList = (v: unknown): readonly TaskDefinition[] => (Array.isArray(v) ? v.filter(isTask) : []);

/** Every task of a flow by id, with its place; nested flowables included. */
export class FlowIndex {
  readonly #byId = new Map<string, IndexedTask>();

  constructor(readonly flow: Flow) {
    this.#addAll(flow.tasks, undefined, 'tasks');
    this.#addAll(flow.errors, undefined, 'errors');
    this.#addAll(flow.finally, undefined, 'finally');
    this.#addAll(flow.afterExecution, undefined, 'afterExecution');
  }

  get(taskId: string): IndexedTask | undefined {
    return this.#byId.get(taskId);
  }

  #addAll(tasks: readonly TaskDefinition[] | undefined, parentTaskId: string | undefined, branch: string): void {
    for (const t of asTaskList(tasks)) this.#add(t, parentTaskId, branch);
  }

  #add(task: TaskDefinition, parentTaskId: string | undefined, branch: string): void {
    this.#byId.set(task.id, { task, parentTaskId, branch });
    for (const key of ['tasks', 'then', 'else', 'errors', 'finally', 'defaults', 'default'] as const) {
      const v = task[key];
      if (key === 'tasks' && Array.isArray(v) && v.some((x) => isDagEntry(x))) {
        for (const e of v) if (isDagEntry(e)) this.#add(e.task, task.id, 'dag');
        continue;
      }
      this.#addAll(v as readonly TaskDefinition[] | undefined, task.id, key === 'default' ? 'defaults' : key);
    }
    const cases = task['cases'];
    if (cases && typeof cases === 'object' && !Array.isArray(cases)) {
      for (const [k, list] of Object.entries(cases as Record<string, unknown>)) this.#addAll(list as TaskDefinition[], task.id, `cases.${k}`);
    }
  }
}

export interface DagEntry {
  readonly task: TaskDefinition;
  readonly dependsOn?: readonly string[];
}

export const isDagEntry = (v: unknown): v is DagEntry =>
  typeof v === 'object' && v !== null && isTask((v as { task?: unknown }).task);
