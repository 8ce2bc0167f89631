import type { TaskDefinition } from '../model/flow';
import type { JsonValue } from '../model/json';
import type { StateType } from '../model/state';
import { isTerminated } from '../model/state';
import { T } from './core-task-types';
import type { Draft } from './draft';
import { endRun } from './end-run';
import { killAll } from './kill';

/** Tasks that change the execution itself and run inside the executor (core-spec §4.1). */
export const EXECUTION_UPDATABLE: ReadonlySet<string> = new Set([T.labels, T.setVariables, T.unsetVariables, T.exit, T.fail, T.assert, T.resume]);

/** System labels a flow may not set at run time. */
const isSystemLabel = (k: string): boolean => k.startsWith('system.');

function isPlainObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(a: Record<string, JsonValue>, b: Record<string, JsonValue>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = isPlainObject(cur) && isPlainObject(v) ? deepMerge(cur, v) : v;
  }
  return out;
}

function finish(d: Draft, id: string, state: StateType): void {
  endRun(d, id, state);
}

/** Runs an execution-updatable task on its (RUNNING) task run and ends it. */
export async function applyExecutionUpdate(d: Draft, id: string, task: TaskDefinition, canonical: string): Promise<void> {
  const run = d.run(id)!;
  const vars = d.variablesFor(run, task);
  const renderer = d.ctx.renderer;
  switch (canonical) {
    case T.labels: {
      const rendered = await renderer.renderTyped(task['labels'] ?? {}, vars);
      const pairs: [string, string][] = Array.isArray(rendered)
        ? (rendered as { key: unknown; value: unknown }[]).map((l) => [String(l.key), String(l.value)])
        : Object.entries((rendered ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
      const bad = pairs.find(([k]) => isSystemLabel(k));
      if (bad) throw new Error(`System label '${bad[0]}' cannot be set by the Labels task`);
      for (const [k, v] of pairs) {
        const i = d.labels.findIndex((l) => l.key === k);
        if (i >= 0) d.labels[i] = { key: k, value: v };
        else d.labels.push({ key: k, value: v });
      }
      finish(d, id, 'SUCCESS');
      return;
    }
    case T.setVariables: {
      const rendered = await renderer.renderTyped(task['variables'] ?? {}, vars);
      if (!isPlainObject(rendered)) throw new Error('SetVariables `variables` must be a map');
      if (task['overwrite'] === false) {
        const existing = { ...(d.flow.variables ?? {}), ...d.variables };
        const clash = Object.keys(rendered).find((k) => k in existing);
        if (clash) throw new Error(`Variable '${clash}' already exists and overwrite is false`);
      }
      d.variables = deepMerge(d.variables, rendered);
      finish(d, id, 'SUCCESS');
      return;
    }
    case T.unsetVariables: {
      const rendered = await renderer.renderTyped(task['variables'] ?? [], vars);
      const keys = Array.isArray(rendered) ? rendered.map(String) : [String(rendered)];
      const next = structuredClone(d.variables);
      for (const key of keys) {
        const parts = key.split('.');
        let cur: Record<string, JsonValue> | undefined = next;
        for (let i = 0; i < parts.length - 1 && cur; i++) {
          const n: JsonValue | undefined = cur[parts[i]];
          cur = isPlainObject(n) ? n : undefined;
        }
        const last = parts[parts.length - 1];
        if (!cur || !(last in cur)) {
          if (task['ignoreMissing'] !== true) throw new Error(`Variable '${key}' does not exist`);
          continue;
        }
        delete cur[last];
      }
      d.variables = next;
      finish(d, id, 'SUCCESS');
      return;
    }
    case T.fail: {
      const hasCondition = task['condition'] !== undefined && task['condition'] !== null;
      const fails = !hasCondition || renderer.truthy(await renderer.renderTyped(task['condition'], vars));
      if (!fails) {
        finish(d, id, 'SUCCESS');
        return;
      }
      const message = task['errorMessage'] === undefined ? 'Task failure' : await renderer.render(String(task['errorMessage']), vars);
      throw new Error(message);
    }
    case T.assert: {
      const conditions = Array.isArray(task['conditions']) ? task['conditions'] : [];
      const failed: string[] = [];
      for (const c of conditions) {
        if (!renderer.truthy(await renderer.renderTyped(c, vars))) failed.push(String(c));
      }
      if (failed.length > 0) {
        for (const c of failed) d.log('ERROR', `Assertion \`${c}\` failed!`, run);
        const message = task['errorMessage'] === undefined ? `${failed.length} assertion(s) failed` : await renderer.render(String(task['errorMessage']), vars);
        throw new Error(message);
      }
      finish(d, id, 'SUCCESS');
      return;
    }
    case T.resume: {
      const target = task['executionId'] === undefined ? d.base.id : String(await renderer.renderTyped(task['executionId'], vars));
      if (target === d.base.id) throw new Error('An execution cannot resume itself');
      const inputs = (await renderer.renderTyped(task['inputs'] ?? {}, vars)) as Record<string, JsonValue>;
      d.emit({ kind: 'resume-execution', id: `${id}:resume`, targetExecutionId: target, inputs });
      finish(d, id, 'SUCCESS');
      return;
    }
    case T.exit: {
      if (task['condition'] !== undefined && !renderer.truthy(await renderer.renderTyped(task['condition'], vars))) {
        finish(d, id, 'SUCCESS');
        return;
      }
      const raw = task['state'] === undefined ? 'SUCCESS' : String(await renderer.renderTyped(task['state'], vars));
      const state = (raw === 'CANCELED' ? 'CANCELLED' : raw) as StateType;
      if (!['SUCCESS', 'WARNING', 'KILLED', 'FAILED', 'CANCELLED'].includes(state)) throw new Error(`Invalid Exit state '${raw}'`);
      finish(d, id, state);
      // The task run and its parents take the state; the execution ends with it.
      let parentId = d.run(id)!.parentTaskRunId;
      while (parentId) {
        const p = d.run(parentId);
        if (!p) break;
        if (!isTerminated(p.state.current)) d.setRunState(p.id, state);
        parentId = p.parentTaskRunId;
      }
      if (state === 'KILLED') killAll(d, 'KILLED');
      d.setFlag('exitState', state);
      return;
    }
    default:
      throw new Error(`Task type '${task.type}' is not an execution-updatable task`);
  }
}
