import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Json, client } from '../e2e/local-client';

/** Helpers shared by the script-task tests that drive the local edition over HTTP. */
export type Api = ReturnType<typeof client>;

export const DOCS = join(__dirname, '../../../shared/examples/docs-flows');

/** The documentation flow whose file name starts with `prefix` (e.g. '0162'). */
export function docsFlow(prefix: string): string {
  const file = readdirSync(DOCS).find((f) => f.startsWith(`${prefix}-`));
  if (!file) throw new Error(`no docs flow ${prefix}`);
  return readFileSync(join(DOCS, file), 'utf8');
}

/** Saves the flow, starts it (with an optional multipart form of inputs) and waits for its end. */
export async function runFlow(api: Api, source: string, flowId: string, form?: FormData): Promise<Json> {
  const created = await api.createFlow(source);
  expect(created.status, created.text).toBe(200);
  const started = await api.execute('company.team', flowId, form);
  expect(started.status, started.text).toBe(200);
  return api.waitForState(String(started.json['id']), ['SUCCESS', 'WARNING', 'FAILED', 'KILLED'], 30_000);
}

export async function logsOf(api: Api, executionId: string): Promise<{ level: string; message: string; taskId?: string }[]> {
  return (await api.call('GET', `/api/v1/main/logs/${executionId}`)).json as unknown as { level: string; message: string }[];
}

export function taskRunOf(execution: Json, taskId: string): Json {
  const run = (execution['taskRunList'] as Json[]).find((t) => t['taskId'] === taskId);
  if (!run) throw new Error(`no task run ${taskId}`);
  return run;
}

export const outputsOf = (execution: Json, taskId: string): Json => (taskRunOf(execution, taskId)['outputs'] ?? {}) as Json;

/** Downloads an output file of an execution through the API, as text. */
export async function downloadFile(api: Api, executionId: unknown, uri: string): Promise<{ status: number; text: string }> {
  return api.call('GET', `/api/v1/main/executions/${String(executionId)}/file?path=${encodeURIComponent(uri)}`);
}
