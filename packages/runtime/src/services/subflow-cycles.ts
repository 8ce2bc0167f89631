import type { Flow } from '@windhover/core';
import { CORE_TASK_TYPES, coreTaskType } from '@windhover/core';

/** One Subflow / ForEachItem call of a flow, with the property path of its `flowId`. */
export interface SubflowCall {
  readonly namespace: string;
  readonly flowId: string;
  /** Kestra-style property path of the call's flowId, e.g. `tasks[0].then[1].flowId`. */
  readonly path: string;
}

/** A chain of subflow calls from a flow back to itself. */
export interface SubflowCycle {
  /** `namespace.id` of the flow the cycle starts and ends at. */
  readonly flow: string;
  /** Every flow of the chain, the first repeated at the end: `a.parent -> b.child -> a.parent`. */
  readonly chain: readonly string[];
  /** Property path, in the starting flow, of the call that starts the cycle. */
  readonly path: string;
}

/** The flow a reference resolves to (the latest live revision, or a flow of the batch being saved). */
export type SubflowLookup = (namespace: string, id: string) => Promise<Flow | undefined>;

/** How many calls deep a chain is followed; longer chains are not checked. */
export const MAX_SUBFLOW_DEPTH = 50;

const CALL_TYPES: ReadonlySet<string> = new Set([CORE_TASK_TYPES.subflow, CORE_TASK_TYPES.forEachItem]);
const TASK_LISTS = ['tasks', 'errors', 'finally', 'afterExecution'] as const;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStatic = (v: unknown): v is string => typeof v === 'string' && v !== '' && !v.includes('{{') && !v.includes('{%');
const propertyPath = (parent: string, key: string) => (/^[A-Za-z_$][\w$-]*$/.test(key) ? (parent === '' ? key : `${parent}.${key}`) : `${parent}['${key.replace(/'/g, "\\'")}']`);

/**
 * The Subflow / ForEachItem calls (legacy type names included) of a flow,
 * nested ones too, whose namespace and flowId are literal: a call whose
 * target is an expression cannot be resolved before it runs and is skipped.
 */
export function subflowCalls(flow: Flow): SubflowCall[] {
  const out: SubflowCall[] = [];
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(v, `${path}[${i}]`);
      return;
    }
    if (!isObject(value)) return;
    if (typeof value.type === 'string' && typeof value.id === 'string') {
      const canonical = coreTaskType(value.type)?.canonical;
      if (canonical !== undefined && CALL_TYPES.has(canonical)) {
        if (isStatic(value.namespace) && isStatic(value.flowId)) out.push({ namespace: value.namespace, flowId: value.flowId, path: propertyPath(path, 'flowId') });
        return;
      }
    }
    for (const [k, v] of Object.entries(value)) visit(v, propertyPath(path, k));
  };
  for (const key of TASK_LISTS) visit(flow[key], key);
  return out;
}

/**
 * For each flow of `starts`, the first chain of subflow calls that leads
 * back to it (depth-first, at most MAX_SUBFLOW_DEPTH calls deep), resolving
 * every other flow through `lookup`. Cycles that do not pass through a
 * starting flow are not reported: they were stored before and saving these
 * flows does not create them.
 */
export async function findSubflowCycles(starts: readonly Flow[], lookup: SubflowLookup): Promise<SubflowCycle[]> {
  const callsByKey = new Map<string, readonly SubflowCall[]>();
  const callsOf = async (namespace: string, id: string): Promise<readonly SubflowCall[]> => {
    const key = `${namespace}.${id}`;
    let calls = callsByKey.get(key);
    if (!calls) {
      const flow = await lookup(namespace, id);
      calls = flow ? subflowCalls(flow) : [];
      callsByKey.set(key, calls);
    }
    return calls;
  };
  const out: SubflowCycle[] = [];
  for (const start of starts) {
    const startKey = `${start.namespace}.${start.id}`;
    callsByKey.set(startKey, subflowCalls(start));
    const explored = new Set<string>();
    const chain: string[] = [startKey];
    let firstPath = '';
    const search = async (namespace: string, id: string): Promise<boolean> => {
      if (chain.length > MAX_SUBFLOW_DEPTH) return false;
      for (const call of await callsOf(namespace, id)) {
        const key = `${call.namespace}.${call.flowId}`;
        if (chain.length === 1) firstPath = call.path;
        if (key === startKey) {
          chain.push(key);
          return true;
        }
        if (explored.has(key)) continue;
        explored.add(key);
        chain.push(key);
        if (await search(call.namespace, call.flowId)) return true;
        chain.pop();
      }
      return false;
    };
    if (await search(start.namespace, start.id)) out.push({ flow: startKey, chain, path: firstPath });
  }
  return out;
}

/** Kestra's message for a recursive flow, with the chain that makes it recursive. */
export function subflowCycleMessage(cycle: SubflowCycle): string {
  return `Recursive call to flow [${cycle.flow}]: ${cycle.chain.join(' -> ')}`;
}
