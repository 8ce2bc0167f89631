import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Logger } from '@windhover/core';
import type { ApiHandler, ApiRequest, ApiResponse } from '@windhover/runtime';

export interface NodeHttpServerOptions {
  readonly logger: Logger;
  /** Larger bodies are refused with 413 before they are read completely. */
  readonly maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 256 * 1024 * 1024;

class BodyTooLargeError extends Error {}

async function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > max) throw new BodyTooLargeError();
    chunks.push(b);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function requestHead(req: IncomingMessage): Omit<ApiRequest, 'body'> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query,
    headers,
    ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}),
  };
}

/** node:http request → the shared ApiRequest. */
export async function toApiRequest(req: IncomingMessage, maxBodyBytes: number): Promise<ApiRequest> {
  return { ...requestHead(req), body: await readBody(req, maxBodyBytes) };
}

/** The shared ApiResponse → node:http: strings and bytes as they are, anything else as JSON. */
export function writeApiResponse(res: ServerResponse, response: ApiResponse): void {
  if (response.stream) {
    streamApiResponse(res, response.status, response.headers ?? {}, response.stream);
    return;
  }
  const headers: Record<string, string> = { ...response.headers };
  let body: Buffer | undefined;
  if (response.body === undefined || response.body === null) body = undefined;
  else if (typeof response.body === 'string') body = Buffer.from(response.body, 'utf8');
  else if (response.body instanceof Uint8Array) body = Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength);
  else {
    body = Buffer.from(JSON.stringify(response.body), 'utf8');
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  headers['content-length'] = String(body?.length ?? 0);
  res.writeHead(response.status, headers);
  res.end(body);
}

/**
 * Sends a streamed answer chunk by chunk (server-sent events). A client that
 * goes away stops the stream; a stream that fails ends what was sent.
 */
function streamApiResponse(res: ServerResponse, status: number, headers: Readonly<Record<string, string>>, stream: AsyncIterable<string>): void {
  res.writeHead(status, { ...headers });
  res.flushHeaders();
  const chunks = stream[Symbol.asyncIterator]();
  let open = true;
  res.on('close', () => {
    open = false;
    void chunks.return?.();
  });
  void (async () => {
    try {
      while (open) {
        const next = await chunks.next();
        if (next.done || !open) break;
        res.write(next.value);
      }
    } catch {
      // Nothing more can be said on a stream already started.
    }
    res.end();
  })();
}

/** A node:http server that adapts every request to the shared API handler. */
export function createNodeHttpServer(handler: ApiHandler, options: NodeHttpServerOptions): Server {
  const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const early = handler.rejectEarly?.(requestHead(req));
        if (early) {
          // Do not read the body of a request that cannot be authenticated.
          writeApiResponse(res, { ...early, headers: { ...early.headers, connection: 'close' } });
          req.resume();
          return;
        }
        const request = await toApiRequest(req, max);
        writeApiResponse(res, await handler(request));
      } catch (e) {
        if (e instanceof BodyTooLargeError) {
          writeApiResponse(res, { status: 413, body: { message: `Request body larger than ${max} bytes` }, headers: { connection: 'close' } });
          req.destroy();
          return;
        }
        options.logger.error('http request failed', { error: e, url: req.url });
        if (!res.headersSent) writeApiResponse(res, { status: 500, body: { message: 'Internal Server Error' } });
        else res.destroy();
      }
    })();
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
