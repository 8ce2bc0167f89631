import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineWorld, startEngineWorld, states } from './engine-world';

let w: EngineWorld;
let server: Server;
let base = '';
const hits: { method: string; url: string; body: string; headers: IncomingMessage['headers'] }[] = [];

beforeAll(async () => {
  w = startEngineWorld();
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
      if (req.url === '/missing') {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('nope');
      } else if (req.url === '/slow') {
        setTimeout(() => {
          res.writeHead(200);
          res.end('late');
        }, 3000);
      } else if (req.url === '/file.csv') {
        res.writeHead(200, { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="data.csv"' });
        res.end('a,b\n1,2\n');
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'x-test': 'yes' });
        res.end(JSON.stringify({ ok: true, method: req.method, got: body }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await w.close();
});

describe('core runnable tasks on the engine', () => {
  it('http.Request sends the body and headers and exposes code, headers and body', async () => {
    await w.deploy(`
id: http_req
namespace: company.team
tasks:
  - id: req
    type: io.kestra.plugin.core.http.Request
    uri: ${base}/echo
    method: POST
    body: '{"name": "{{ flow.id }}"}'
    headers:
      X-Caller: windhover
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.req.code }} {{ outputs.req.headers['x-test'] | first }} {{ fromJson(outputs.req.body).got }}"
`);
    const e = await w.run('company.team', 'http_req');
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList[1].outputs).toEqual({ value: '200 yes {"name": "http_req"}' });
    const hit = hits.find((h) => h.url === '/echo')!;
    expect(hit.method).toBe('POST');
    expect(hit.headers['x-caller']).toBe('windhover');
    expect(hit.headers['content-type']).toBe('application/json');
  });

  it('http.Request fails on a 404 unless allowFailed', async () => {
    await w.deploy(`
id: http_404
namespace: company.team
tasks:
  - id: req
    type: io.kestra.plugin.core.http.Request
    uri: ${base}/missing
`);
    const e = await w.run('company.team', 'http_404');
    expect(e.state.current).toBe('FAILED');
    expect((await w.logs(e.id)).map((l) => l.message)).toContain("Failed http request with response code '404'");
    await w.deploy(`
id: http_404_ok
namespace: company.team
tasks:
  - id: req
    type: io.kestra.plugin.core.http.Request
    uri: ${base}/missing
    allowFailed: true
`);
    const ok = await w.run('company.team', 'http_404_ok');
    expect(ok.state.current).toBe('SUCCESS');
    expect(ok.taskRunList[0].outputs?.['code']).toBe(404);
  });

  it('http.Download stores the response in internal storage', async () => {
    await w.deploy(`
id: http_dl
namespace: company.team
tasks:
  - id: dl
    type: io.kestra.plugin.core.http.Download
    uri: ${base}/file.csv
  - id: size
    type: io.kestra.plugin.core.storage.Size
    uri: "{{ outputs.dl.uri }}"
`);
    const e = await w.run('company.team', 'http_dl');
    expect(e.state.current).toBe('SUCCESS');
    const dl = e.taskRunList[0].outputs!;
    expect(dl['uri']).toMatch(new RegExp(`^kestra:///company/team/http_dl/executions/${e.id}/tasks/dl/[^/]+/data\\.csv$`));
    expect(dl['length']).toBe(8);
    expect(new TextDecoder().decode(await w.ports.storage.get(String(dl['uri'])))).toBe('a,b\n1,2\n');
    expect(e.taskRunList[1].outputs).toEqual({ size: 8 });
  });

  it('storage Write, Concat, Split, Size, Delete and PurgeCurrentExecutionFiles work on kestra:// files', async () => {
    await w.deploy(`
id: storage_ops
namespace: company.team
tasks:
  - id: w1
    type: io.kestra.plugin.core.storage.Write
    content: "l1\\nl2\\n"
    extension: .txt
  - id: w2
    type: io.kestra.plugin.core.storage.Write
    content: "l3\\n"
    extension: .txt
  - id: cat
    type: io.kestra.plugin.core.storage.Concat
    files: ["{{ outputs.w1.uri }}", "{{ outputs.w2.uri }}"]
    extension: .txt
  - id: split
    type: io.kestra.plugin.core.storage.Split
    from: "{{ outputs.cat.uri }}"
    rows: 2
  - id: size
    type: io.kestra.plugin.core.storage.Size
    uri: "{{ outputs.cat.uri }}"
  - id: del
    type: io.kestra.plugin.core.storage.Delete
    uri: "{{ outputs.w2.uri }}"
  - id: purge
    type: io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles
`);
    const e = await w.run('company.team', 'storage_ops');
    expect(e.state.current).toBe('SUCCESS');
    const out = Object.fromEntries(e.taskRunList.map((r) => [r.taskId, r.outputs]));
    expect(out['size']).toEqual({ size: 9 });
    expect(out['split']?.['uris']).toHaveLength(2);
    expect(out['del']).toMatchObject({ deleted: true });
    expect(out['purge']?.['uris']).toHaveLength(4);
    expect(await w.ports.storage.exists(String(out['cat']?.['uri']))).toBe(false);
  });

  it('log.Fetch writes the execution logs at or above a level to an ION file', async () => {
    await w.deploy(`
id: fetch_logs
namespace: company.team
tasks:
  - { id: a, type: io.kestra.plugin.core.log.Log, message: info line }
  - { id: b, type: io.kestra.plugin.core.log.Log, message: warn line, level: WARN }
  - { id: fetch, type: io.kestra.plugin.core.log.Fetch, level: WARN }
`);
    const e = await w.run('company.team', 'fetch_logs');
    expect(e.state.current).toBe('SUCCESS');
    const out = e.taskRunList[2].outputs!;
    expect(out['size']).toBe(1);
    const text = new TextDecoder().decode(await w.ports.storage.get(String(out['uri'])));
    expect(text).toContain('"message":"warn line"');
    expect(text).not.toContain('info line');
  });

  it('fails a task after its timeout', async () => {
    await w.deploy(`
id: slow_http
namespace: company.team
tasks:
  - id: sleepy
    type: io.kestra.plugin.core.http.Request
    uri: ${base}/slow
    timeout: PT0.3S
`);
    const started = Date.now();
    const e = await w.run('company.team', 'slow_http');
    expect(e.state.current).toBe('FAILED');
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await w.logs(e.id)).map((l) => l.message).join('\n')).toContain('Task timeout after PT0.3S');
    expect(states(e)).toEqual({ sleepy: 'FAILED' });
  });
});
