import type { Effect, Execution, ExecutorEvent, JsonValue } from '@windhover/core';
import type { RuntimePorts } from '../runtime-ports';
import { taskRunPrefix } from './output-store';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `10MB`, `200KB` or a number of bytes. */
function bytesOf(v: string | number): number {
  if (typeof v === 'number') return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*$/i.exec(v);
  if (!m) throw new Error(`Invalid batch size '${v}'`);
  return Math.floor(Number(m[1]) * ({ '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2].toUpperCase()] ?? 1));
}

/** ION text of one JSON value (strings quoted, maps as structs). */
function ion(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : `${v}e0`;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(ion).join(',')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${JSON.stringify(k)}:${ion(x)}`)
    .join(',')}}`;
}

/** ForEachItem split: batch files of `rows` lines (or `partitions`, or `bytes`) under the task run's prefix. */
export async function splitItems(ports: RuntimePorts, execution: Execution, e: Extract<Effect, { kind: 'split-items' }>): Promise<ExecutorEvent> {
  const base = { type: 'items-split' as const, id: `${e.id}:done`, tenantId: execution.tenantId, executionId: execution.id, taskRunId: e.taskRunId };
  try {
    if (!e.items.startsWith('kestra://')) throw new Error(`items must be a kestra:// URI, got '${e.items}'`);
    const text = decoder.decode(await ports.storage.get(e.items));
    const lines = text.split(e.separator);
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const batches: string[][] = [];
    if (e.partitions !== undefined) {
      const n = Math.max(1, e.partitions);
      const size = Math.ceil(lines.length / n);
      for (let i = 0; i < lines.length; i += size) batches.push(lines.slice(i, i + size));
    } else if (e.bytes !== undefined) {
      const max = bytesOf(e.bytes);
      let cur: string[] = [];
      let size = 0;
      for (const l of lines) {
        const b = encoder.encode(l + e.separator).length;
        if (cur.length > 0 && size + b > max) {
          batches.push(cur);
          cur = [];
          size = 0;
        }
        cur.push(l);
        size += b;
      }
      if (cur.length) batches.push(cur);
    } else {
      const rows = Math.max(1, e.rows ?? 1);
      for (let i = 0; i < lines.length; i += rows) batches.push(lines.slice(i, i + rows));
    }
    const prefix = taskRunPrefix(execution.namespace, execution.flowId, execution.id, e.taskId, e.taskRunId);
    const uris: string[] = [];
    for (const [i, b] of batches.entries()) {
      const uri = `${prefix}/batches/${i}.ion`;
      await ports.storage.put(uri, encoder.encode(b.map((l) => l + e.separator).join('')));
      uris.push(uri);
    }
    return { ...base, uris };
  } catch (err) {
    return { ...base, error: err instanceof Error ? err.message : String(err) };
  }
}

/** ForEachItem merge: one ION line per child execution with its flow outputs. */
export async function mergeSubflowOutputs(ports: RuntimePorts, execution: Execution, e: Extract<Effect, { kind: 'merge-subflow-outputs' }>): Promise<ExecutorEvent> {
  const base = { type: 'items-merged' as const, id: `${e.id}:done`, tenantId: execution.tenantId, executionId: execution.id, taskRunId: e.taskRunId };
  try {
    const lines: string[] = [];
    for (const id of e.childExecutionIds) {
      const child = await ports.executions.get(execution.tenantId, id);
      if (child?.outputs && Object.keys(child.outputs).length > 0) lines.push(ion(child.outputs as JsonValue));
    }
    const uri = `${taskRunPrefix(execution.namespace, execution.flowId, execution.id, e.taskId, e.taskRunId)}/merge.ion`;
    await ports.storage.put(uri, encoder.encode(lines.map((l) => `${l}\n`).join('')));
    return { ...base, uri };
  } catch (err) {
    return { ...base, error: err instanceof Error ? err.message : String(err) };
  }
}
