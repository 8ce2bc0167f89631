import type { Execution, Flow } from '@windhover/core';

export const SECRET_MASK = '******';

/**
 * An execution as the API returns it. Values of SECRET inputs never leave
 * the server, whatever the engine stored.
 */
export function executionJson(e: Execution, flow?: Flow): Record<string, unknown> {
  const secretIds = new Set((flow?.inputs ?? []).filter((i) => i.type === 'SECRET').map((i) => i.id));
  const inputs = e.inputs
    ? Object.fromEntries(Object.entries(e.inputs).map(([k, v]) => [k, secretIds.has(k) && v !== null ? SECRET_MASK : v]))
    : undefined;
  return { ...e, ...(inputs ? { inputs } : {}) };
}

/** Where the UI shows an execution: `{base}/ui/{tenant}/executions/{namespace}/{flowId}/{id}`. */
export const executionUrl = (baseUrl: string, e: Execution): string =>
  `${baseUrl.replace(/\/$/, '')}/ui/${e.tenantId}/executions/${e.namespace}/${e.flowId}/${e.id}`;

/** The internal-storage prefix that holds an execution's files (inputs, task outputs). */
export const executionStoragePrefix = (e: Pick<Execution, 'namespace' | 'flowId' | 'id'>): string =>
  `kestra:///${e.namespace.split('.').join('/')}/${e.flowId}/executions/${e.id}/`;
