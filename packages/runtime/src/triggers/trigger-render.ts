import type { ExpressionContext, Flow, FlowWithSource, JsonValue, RenderOptions } from '@windhover/core';
import { renderTyped, resolveSecret } from '@windhover/core';
import type { TriggerDeps } from './trigger-deps';

/** Render options for trigger properties: `secret()` and `kv()` read the flow's namespace. */
export function triggerRenderOptions(deps: TriggerDeps, tenantId: string, namespace: string): RenderOptions {
  const { secrets, kv, clock } = deps.ports;
  return {
    functions: {
      async secret(key: string): Promise<string> {
        const value = await resolveSecret(secrets, tenantId, namespace, key);
        if (value === undefined) throw new Error(`Cannot find secret for key '${key}'.`);
        return value;
      },
      async kv(key: string, options: { namespace?: string; errorOnMissing: boolean }): Promise<unknown> {
        const entry = await kv.get(tenantId, options.namespace ?? namespace, key, clock.now());
        if (!entry) {
          if (options.errorOnMissing) throw new Error(`The key '${key}' does not exist in the namespace '${options.namespace ?? namespace}'.`);
          return null;
        }
        return entry.value;
      },
      now: () => clock.now(),
    },
  };
}

/** The `flow` variable while rendering trigger properties. */
export function flowVariables(flow: Flow, revision: number, tenantId: string): Readonly<Record<string, JsonValue>> {
  return { id: flow.id, namespace: flow.namespace, revision, tenantId };
}

/** Renders a trigger's `inputs` map (typed: a lone `{{ x }}` keeps its native value). */
export async function renderTriggerInputs(
  inputs: Readonly<Record<string, unknown>> | undefined,
  variables: ExpressionContext,
  options: RenderOptions,
): Promise<Record<string, unknown>> {
  if (!inputs) return {};
  return (await renderTyped(inputs, variables, options)) as Record<string, unknown>;
}

/** Variables for a trigger of this flow, with its `trigger.*` values. */
export function triggerContext(fw: FlowWithSource, trigger: Readonly<Record<string, unknown>>): ExpressionContext {
  return { flow: flowVariables(fw.flow, fw.revision, fw.tenantId), trigger, labels: {} };
}
