import type { JsonValue } from '@windhover/core';
import { ExecutionNotFoundError, FlowNotFoundError, NotFoundError, SecretMasker, buildTaskRunVariables, isWindhoverError } from '@windhover/core';
import { engineRenderer } from '../../engine/expression-functions';
import type { ApiDeps } from '../api-deps';
import type { Route } from '../http-types';
import { bodyText, json } from '../request';

const decoder = new TextDecoder();

/**
 * Kestra's "Debug Expression" (POST /executions/{id}/eval/{taskRunId}): a
 * Pebble expression rendered in the context of one task run, answered as
 * EvalResult `{result}` or `{error, stackTrace}` (200 either way). Secrets
 * the expression reveals, and SECRET inputs, come back masked.
 */
export function executionEvalRoutes(deps: ApiDeps): Route[] {
  const handle: Route['handle'] = async ({ request, params }) => {
    const tenantId = params['tenant'];
    const e = await deps.ports.executions.get(tenantId, params['executionId']);
    if (!e || e.deleted) throw new ExecutionNotFoundError(params['executionId']);
    const run = e.taskRunList.find((r) => r.id === params['taskRunId']);
    if (!run) throw new NotFoundError('TaskRun', params['taskRunId']);
    const stored = await deps.ports.flows.get(tenantId, e.namespace, e.flowId, e.flowRevision);
    if (!stored) throw new FlowNotFoundError(e.namespace, e.flowId, e.flowRevision);
    // Outputs too large for the execution document live in internal storage.
    const externalOutputs = new Map<string, Readonly<Record<string, JsonValue>>>();
    for (const [taskRunId, uri] of Object.entries(e.engine?.outputRefs ?? {})) {
      externalOutputs.set(taskRunId, JSON.parse(decoder.decode(await deps.ports.storage.get(uri))) as Record<string, JsonValue>);
    }
    const variables = buildTaskRunVariables(stored.flow, e, run, { externalOutputs });
    const masker = new SecretMasker();
    for (const def of stored.flow.inputs ?? []) {
      const v = e.inputs?.[def.id];
      if (def.type === 'SECRET' && typeof v === 'string') masker.add(v);
    }
    const renderer = engineRenderer(deps.ports, { tenantId, namespace: e.namespace, flowId: e.flowId, executionId: e.id }, masker);
    try {
      const result = await renderer.render(bodyText(request), variables);
      return json(200, { result: masker.mask(result) });
    } catch (err) {
      const message = masker.mask(err instanceof Error ? err.message : String(err));
      const name = isWindhoverError(err) ? err.code : err instanceof Error ? err.name : 'Error';
      return json(200, { error: message, stackTrace: `${name}: ${message}` });
    }
  };
  return [
    { method: 'POST', path: '/api/v1/:tenant/executions/:executionId/eval/:taskRunId', handle },
    { method: 'POST', path: '/api/v1/:tenant/executions/:executionId/actions/eval/:taskRunId', handle },
  ];
}
