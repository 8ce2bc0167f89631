/** Any value that survives JSON serialization. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A JSON Schema document (draft 2020-12), kept loose on purpose: plugins contribute their own. */
export type JsonSchema = { readonly [key: string]: unknown };
