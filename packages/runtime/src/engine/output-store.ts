import type { Execution, JsonValue } from '@windhover/core';
import type { RuntimePorts } from '../runtime-ports';

/** Outputs above this size (bytes of JSON) go to internal storage; the execution keeps a reference. */
export const INLINE_OUTPUTS_MAX_BYTES = 16 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Where large task outputs are kept, and a small cache of the ones read back (they never change). */
export class OutputStore {
  readonly #cache = new Map<string, Readonly<Record<string, JsonValue>>>();

  constructor(private readonly ports: RuntimePorts) {}

  /** Stores outputs when they are large; returns the reference URI, or undefined to keep them inline. */
  async maybeStore(prefix: string, attempt: number, outputs: Readonly<Record<string, JsonValue>> | undefined): Promise<string | undefined> {
    if (!outputs) return undefined;
    const json = JSON.stringify(outputs);
    if (json.length <= INLINE_OUTPUTS_MAX_BYTES) return undefined;
    const uri = `${prefix}/outputs-${attempt}.json`;
    await this.ports.storage.put(uri, encoder.encode(json));
    this.#remember(uri, outputs);
    return uri;
  }

  /** Outputs of an execution's task runs that live in storage, by task run id. */
  async external(execution: Execution): Promise<Map<string, Readonly<Record<string, JsonValue>>>> {
    const out = new Map<string, Readonly<Record<string, JsonValue>>>();
    for (const [taskRunId, uri] of Object.entries(execution.engine?.outputRefs ?? {})) {
      let v = this.#cache.get(uri);
      if (!v) {
        v = JSON.parse(decoder.decode(await this.ports.storage.get(uri))) as Record<string, JsonValue>;
        this.#remember(uri, v);
      }
      out.set(taskRunId, v);
    }
    return out;
  }

  #remember(uri: string, v: Readonly<Record<string, JsonValue>>): void {
    if (this.#cache.size > 200) this.#cache.delete(this.#cache.keys().next().value as string);
    this.#cache.set(uri, v);
  }
}

/** `kestra:///{ns as path}/{flowId}/executions/{executionId}` (core-spec §8.2). */
export function executionPrefix(namespace: string, flowId: string, executionId: string): string {
  return `kestra:///${namespace.replaceAll('.', '/')}/${flowId}/executions/${executionId}`;
}

/** `.../tasks/{taskId}/{taskRunId}`: where a task run's files go. */
export function taskRunPrefix(namespace: string, flowId: string, executionId: string, taskId: string, taskRunId: string): string {
  return `${executionPrefix(namespace, flowId, executionId)}/tasks/${taskId}/${taskRunId}`;
}
