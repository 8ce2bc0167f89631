import type { JsonValue } from '../model/json';
import { coerceOutputValue } from '../inputs/coerce';
import type { Draft } from './draft';

/** Renders the flow's `outputs` at the end of the execution and coerces them by type (core-spec §6.9). */
export async function renderFlowOutputs(d: Draft): Promise<Record<string, JsonValue> | undefined> {
  const defs = d.flow.outputs;
  if (!defs || defs.length === 0) return undefined;
  const vars = d.variablesFor();
  const out: Record<string, JsonValue> = {};
  for (const def of defs) {
    const rendered = await d.ctx.renderer.renderTyped(def.value, vars);
    out[def.id] = coerceOutputValue(def.id, def.type ?? 'STRING', rendered);
  }
  return out;
}
