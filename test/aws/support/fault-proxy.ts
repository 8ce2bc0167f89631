import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of an emulator that can fail requests on demand:
 * a real network fault between a function and AWS (the SDK sees HTTP 503s),
 * used to crash a handler between two of its calls.
 */
export class FaultProxy {
  private server?: Server;
  /** While set, requests whose X-Amz-Target matches fail with 503. */
  failTargets?: RegExp;
  failed = 0;

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (this.failTargets?.test(target)) {
      this.failed++;
      res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'ServiceUnavailable;Receiver' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#ServiceUnavailable', message: 'injected fault' }));
      return;
    }
    const url = new URL(req.url ?? '/', this.upstream);
    const up = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    up.end(Buffer.concat(chunks));
  }
}
