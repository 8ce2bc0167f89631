import { SCHEMA_REFS } from './schema-refs';

/** Small builders for the flow schema's own definitions. */
export type Schema = Record<string, unknown>;

export const ref = (name: keyof typeof SCHEMA_REFS): Schema => ({ $ref: SCHEMA_REFS[name] });
export const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
export const bool = (description: string, def?: boolean): Schema => ({ type: 'boolean', description, ...(def !== undefined ? { default: def } : {}) });
export const list = (items: Schema, description?: string): Schema => ({ type: 'array', items, ...(description ? { description } : {}) });
export const closed = (properties: Record<string, Schema>, required: string[] = [], description?: string): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
  ...(description ? { description } : {}),
});
