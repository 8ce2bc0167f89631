import type {
  Execution,
  Metric,
  RunContext,
  SecretMasker,
  TaskFlows,
  TaskRun,
  TaskRunner,
} from '@windhover/core';
import { render, renderTyped, requireSecret } from '@windhover/core';
import type { RuntimePorts } from '../runtime-ports';
import { KvService } from '../services/kv-service';
import { NamespaceFileService } from '../services/namespace-file-service';
import { expressionFunctions } from './expression-functions';
import { executionPrefix, taskRunPrefix } from './output-store';
import type { BufferedTaskLogger } from './task-logger';

export interface RunContextInput {
  readonly ports: RuntimePorts;
  readonly execution: Execution;
  readonly run: TaskRun;
  readonly attempt: number;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly logger: BufferedTaskLogger;
  readonly masker: SecretMasker;
  readonly signal: AbortSignal;
  readonly metrics: Metric[];
  readonly flows?: (tenantId: string) => TaskFlows;
  readonly taskRunner?: (type: string) => TaskRunner | undefined;
  /** The shared folder when the task runs inside a WorkingDirectory. */
  readonly workingDir?: string;
}

const unsupportedFlows: TaskFlows = {
  list: () => Promise.reject(new Error('flow management is not available to tasks here')),
  get: () => Promise.reject(new Error('flow management is not available to tasks here')),
  validate: () => Promise.reject(new Error('flow management is not available to tasks here')),
  save: () => Promise.reject(new Error('flow management is not available to tasks here')),
  plan: () => Promise.reject(new Error('flow management is not available to tasks here')),
  saveAll: () => Promise.reject(new Error('flow management is not available to tasks here')),
  delete: () => Promise.reject(new Error('flow management is not available to tasks here')),
};

/** Builds the RunContext of one attempt from the ports (tasks never see adapters). */
export function createRunContext(input: RunContextInput): RunContext {
  const { ports, execution, run, masker } = input;
  const tenantId = execution.tenantId;
  const scope = { tenantId, namespace: execution.namespace, flowId: execution.flowId, executionId: execution.id };
  const functions = expressionFunctions(ports, scope);
  const options = { functions, secretMasker: masker };
  const vars = (extra?: Readonly<Record<string, unknown>>) => (extra ? { ...input.variables, ...extra } : input.variables);
  const prefix = taskRunPrefix(execution.namespace, execution.flowId, execution.id, run.taskId, run.id);
  const now = () => ports.clock.now();
  const ctx: RunContext = {
    tenantId,
    namespace: execution.namespace,
    flowId: execution.flowId,
    executionId: execution.id,
    taskRunId: run.id,
    taskId: run.taskId,
    attempt: input.attempt,
    variables: input.variables,
    render: (value, extra) => renderTyped(value, vars(extra), options),
    renderString: async (value, extra) => {
      if (typeof value === 'string') return render(value, vars(extra), options);
      const v = await renderTyped(value, vars(extra), options);
      return typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v);
    },
    logger: input.logger,
    signal: input.signal,
    storage: {
      putFile: async (fileName, data) => {
        const clean = fileName.replace(/^.*[/\\]/, '') || 'file';
        const uri = `${prefix}/${clean}`;
        await ports.storage.put(uri, data);
        return uri;
      },
      getFile: (uri) => ports.storage.get(uri),
      exists: (uri) => ports.storage.exists(uri),
      size: (uri) => ports.storage.size(uri),
      delete: (uri) => ports.storage.delete(uri),
      listExecutionFiles: () => ports.storage.list(executionPrefix(execution.namespace, execution.flowId, execution.id)),
    },
    logs: { find: (query) => ports.logs.find(tenantId, query) },
    kv: new KvService(ports.kv, ports.clock).forTasks(tenantId, execution.namespace),
    namespaceFiles: new NamespaceFileService(ports.namespaceFiles, ports.clock).forTasks(tenantId),
    flows: input.flows ? input.flows(tenantId) : unsupportedFlows,
    secret: async (key) => {
      const v = await requireSecret(ports.secrets, tenantId, execution.namespace, key);
      masker.add(v);
      return v;
    },
    metric: (m) => {
      input.metrics.push(m);
    },
    now,
    ...(input.taskRunner ? { taskRunner: input.taskRunner } : {}),
    ...(input.workingDir ? { workingDir: input.workingDir } : {}),
  };
  return ctx;
}

