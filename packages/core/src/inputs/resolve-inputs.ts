import type { Violation } from '../errors';
import { ValidationError } from '../errors';
import type { InputDefinition } from '../model/flow';
import type { JsonValue } from '../model/json';
import type { EngineRenderer } from '../engine/engine-types';
import { nestInputs } from '../engine/run-variables';
import { coerceValue, InputCoercionError } from './coerce';

export interface ResolveInputsOptions {
  /** Renders dynamic `defaults`, `dependsOn.condition` and SELECT `expression`. */
  readonly renderer?: EngineRenderer;
  /** Variables available to those expressions besides `inputs` (flow, execution, trigger...). */
  readonly variables?: Readonly<Record<string, unknown>>;
}

const isMissing = (v: unknown): boolean => v === undefined || v === null || v === '';

/** Input definitions in dependency order (`dependsOn.inputs` first); unknown dependencies are ignored. */
function ordered(defs: readonly InputDefinition[]): InputDefinition[] {
  const byId = new Map(defs.map((d) => [inputId(d), d]));
  const out: InputDefinition[] = [];
  const seen = new Set<string>();
  const visit = (d: InputDefinition, stack: Set<string>): void => {
    const id = inputId(d);
    if (seen.has(id) || stack.has(id)) return;
    stack.add(id);
    for (const dep of d.dependsOn?.inputs ?? []) {
      const dd = byId.get(dep);
      if (dd) visit(dd, stack);
    }
    seen.add(id);
    out.push(d);
  };
  for (const d of defs) visit(d, new Set());
  return out;
}

/** Kestra still accepts the legacy `name` for `id`. */
export const inputId = (d: InputDefinition): string => d.id ?? String((d as { name?: unknown }).name);

/**
 * Resolves an execution's inputs (core-spec §2.3): coerces provided values
 * by type, applies rendered `defaults`, evaluates `dependsOn` conditions,
 * runs validators. Throws ValidationError listing every problem (path
 * `inputs.<id>`), so a rejected request creates nothing.
 */
export async function resolveInputs(
  definitions: readonly InputDefinition[] | undefined,
  provided: Readonly<Record<string, unknown>>,
  options: ResolveInputsOptions = {},
): Promise<Record<string, JsonValue>> {
  const defs = definitions ?? [];
  const values: Record<string, JsonValue> = {};
  const violations: Violation[] = [];
  const vars = () => ({ ...(options.variables ?? {}), inputs: nestInputs(values) });
  for (const def of ordered(defs)) {
    const id = inputId(def);
    const path = `inputs.${id}`;
    try {
      const cond = def.dependsOn?.condition;
      if (cond !== undefined && options.renderer) {
        const visible = options.renderer.truthy(await options.renderer.renderTyped(cond, vars()));
        if (!visible) continue;
      }
      let raw: unknown = provided[id];
      if (isMissing(raw) && def.defaults !== undefined && def.defaults !== null) {
        raw = options.renderer ? await options.renderer.renderTyped(def.defaults, vars()) : def.defaults;
      }
      if (isMissing(raw) && (def.type === 'SELECT' || def.type === 'MULTISELECT') && def['autoSelectFirst'] === true) {
        const list = def['values'];
        if (Array.isArray(list) && list.length > 0) raw = def.type === 'SELECT' ? list[0] : [list[0]];
      }
      if (isMissing(raw)) {
        if (def.required !== false) violations.push({ path, message: `Missing required input value '${id}'` });
        else values[id] = null;
        continue;
      }
      let effective = def;
      if ((def.type === 'SELECT' || def.type === 'MULTISELECT') && typeof def['expression'] === 'string' && options.renderer) {
        const listed = await options.renderer.renderTyped(def['expression'], vars());
        const arr = typeof listed === 'string' ? JSON.parse(listed) : listed;
        if (Array.isArray(arr)) effective = { ...def, values: arr };
      }
      values[id] = coerceValue(effective, raw);
    } catch (e) {
      const message = e instanceof InputCoercionError ? e.message : `Invalid input '${id}': ${e instanceof Error ? e.message : String(e)}`;
      violations.push({ path, message });
    }
  }
  if (violations.length > 0) {
    throw new ValidationError(`Invalid inputs: ${violations.map((v) => v.message).join('; ')}`, violations);
  }
  return values;
}
