import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiRequest, ApiResponse } from '@windhover/runtime';

/** API Gateway HTTP API (payload v2) event → the shared handler's request. */
export function toApiRequest(event: APIGatewayProxyEventV2): ApiRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  // Payload v2 moves cookies out of the headers; the BASIC_AUTH cookie must reach the handler.
  if (event.cookies?.length) headers.cookie = event.cookies.join('; ');
  const query: Record<string, string | string[]> = {};
  for (const part of (event.rawQueryString ?? '').split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    const key = decodeURIComponent((i < 0 ? part : part.slice(0, i)).replace(/\+/g, ' '));
    const value = i < 0 ? '' : decodeURIComponent(part.slice(i + 1).replace(/\+/g, ' '));
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const body = event.body === undefined ? new Uint8Array() : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query,
    headers,
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    sourceIp: event.requestContext.http.sourceIp,
  };
}

/** The shared handler's response → API Gateway's structured result (bytes as base64). */
export function toApiGatewayResult(response: ApiResponse): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  const cookies: string[] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === 'set-cookie') {
      cookies.push(v);
      delete headers[k];
    }
  }
  const { body } = response;
  let out: { body?: string; isBase64Encoded?: boolean } = {};
  if (body instanceof Uint8Array) {
    out = { body: Buffer.from(body).toString('base64'), isBase64Encoded: true };
  } else if (typeof body === 'string') {
    out = { body };
  } else if (body !== undefined) {
    out = { body: JSON.stringify(body) };
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  return { statusCode: response.status, headers, ...(cookies.length ? { cookies } : {}), ...out };
}
