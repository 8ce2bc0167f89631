import { ExpressionError } from './expression-error';
import type { RenderOptions } from './render-options';

/** The variables a template sees (§7.2): flow, execution, inputs, outputs, vars, ... as plain data. */
export type ExpressionContext = Readonly<Record<string, unknown>>;

/** A parsed template, cached by source string. */
export interface CompiledTemplate {
  readonly source: string;
}

/** True when `s` contains Pebble syntax (`{{`, `{%` or `{#`); other strings render to themselves. */
export function isTemplate(s: string): boolean {
  return s.includes('{{') || s.includes('{%') || s.includes('{#');
}

export function compile(source: string): CompiledTemplate {
  return { source };
}

/** Renders `template` to a string (stringify mode: maps/lists as JSON, null as ''). */
export async function render(template: string, context: ExpressionContext, options?: RenderOptions): Promise<string> {
  return renderSync(template, context, options);
}

/** Synchronous render; throws ExpressionError when the template calls an I/O function (secret, kv, read, ...). */
export function renderSync(template: string, _context: ExpressionContext, _options?: RenderOptions): string {
  if (!isTemplate(template)) return template;
  throw new ExpressionError('expression engine not built yet', template, undefined);
}

/**
 * Typed rendering (§7.1): a string that is exactly one `{{ expr }}` keeps its native value
 * (list, map, number, boolean); other strings render to strings; maps and lists are rendered deeply.
 */
export async function renderTyped(value: unknown, context: ExpressionContext, options?: RenderOptions): Promise<unknown> {
  return renderTypedSync(value, context, options);
}

export function renderTypedSync(value: unknown, context: ExpressionContext, options?: RenderOptions): unknown {
  if (typeof value === 'string') return renderSync(value, context, options);
  if (Array.isArray(value)) return value.map((v) => renderTypedSync(v, context, options));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderTypedSync(v, context, options);
    return out;
  }
  return value;
}
