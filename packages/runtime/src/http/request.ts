import { BadRequestError } from '@windhover/core';
import type { ApiRequest, ApiResponse } from './http-types';
import { type MultipartPart, multipartBoundary, parseMultipart } from './multipart';

const decoder = new TextDecoder('utf-8');

/** The body as UTF-8 text. */
export const bodyText = (req: ApiRequest): string => decoder.decode(req.body);

/** The body as JSON; a malformed body is a 400. */
export function bodyJson(req: ApiRequest): unknown {
  const text = bodyText(req).trim();
  if (text === '') throw new BadRequestError('request body is empty, JSON expected');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new BadRequestError(`request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** A flow source sent as `application/x-yaml` (or any text type: the validator reports what is wrong). */
export function bodyYaml(req: ApiRequest): string {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/')) throw new BadRequestError('expected a YAML body (Content-Type: application/x-yaml)');
  const text = bodyText(req);
  if (text.trim() === '') throw new BadRequestError('request body is empty, YAML flow source expected');
  return text;
}

export interface FormData {
  /** Text fields; repeated fields keep every value in order. */
  readonly fields: ReadonlyMap<string, readonly string[]>;
  /** Parts that carry a file name. */
  readonly files: readonly MultipartPart[];
}

/** Form fields from `multipart/form-data` or `application/x-www-form-urlencoded`; an empty body is an empty form. */
export function bodyForm(req: ApiRequest): FormData {
  const contentType = req.headers['content-type'];
  const fields = new Map<string, string[]>();
  const add = (k: string, v: string) => fields.set(k, [...(fields.get(k) ?? []), v]);
  if (req.body.length === 0) return { fields, files: [] };
  const boundary = multipartBoundary(contentType);
  if (boundary) {
    const files: MultipartPart[] = [];
    for (const part of parseMultipart(req.body, boundary)) {
      if (part.filename !== undefined) files.push(part);
      else add(part.name, decoder.decode(part.data));
    }
    return { fields, files };
  }
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) {
    for (const [k, v] of new URLSearchParams(bodyText(req))) add(k, v);
    return { fields, files: [] };
  }
  if (/^application\/json\b/i.test(contentType ?? '')) {
    const json = bodyJson(req);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new BadRequestError('expected a JSON object of inputs');
    for (const [k, v] of Object.entries(json)) add(k, typeof v === 'string' ? v : JSON.stringify(v));
    return { fields, files: [] };
  }
  throw new BadRequestError(`unsupported content type '${contentType ?? ''}', expected multipart/form-data`);
}

/** Every value of a query parameter (also `name[]`). */
export function queryAll(req: ApiRequest, name: string): string[] {
  const out: string[] = [];
  for (const key of [name, `${name}[]`]) {
    const v = req.query[key];
    if (v === undefined) continue;
    if (typeof v === 'string') out.push(v);
    else out.push(...v);
  }
  return out;
}

export const queryOne = (req: ApiRequest, name: string): string | undefined => queryAll(req, name)[0];

export function queryInt(req: ApiRequest, name: string, options: { min?: number; max?: number } = {}): number | undefined {
  const v = queryOne(req, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || (options.min !== undefined && n < options.min) || (options.max !== undefined && n > options.max)) {
    throw new BadRequestError(`query parameter '${name}' must be an integer${options.min !== undefined ? ` >= ${options.min}` : ''}${options.max !== undefined ? ` <= ${options.max}` : ''}`);
  }
  return n;
}

export function queryBool(req: ApiRequest, name: string, fallback: boolean): boolean {
  const v = queryOne(req, name);
  if (v === undefined || v === '') return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new BadRequestError(`query parameter '${name}' must be true or false`);
}

/** One `filters[field][OP]` (or `filters[field][OP][key]`) query parameter, Kestra 1.x style. */
export interface QueryFilter {
  readonly field: string;
  readonly operation: string;
  readonly key?: string;
  readonly values: readonly string[];
}

export function queryFilters(req: ApiRequest): QueryFilter[] {
  const out: QueryFilter[] = [];
  for (const [k, v] of Object.entries(req.query)) {
    const m = /^filters\[([^\]]+)\]\[([^\]]+)\](?:\[([^\]]*)\])?$/.exec(k);
    if (!m) continue;
    const values = typeof v === 'string' ? [v] : [...v];
    out.push({ field: m[1].toUpperCase(), operation: m[2].toUpperCase(), ...(m[3] ? { key: m[3] } : {}), values });
  }
  return out;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

export const noContent = (): ApiResponse => ({ status: 204 });
