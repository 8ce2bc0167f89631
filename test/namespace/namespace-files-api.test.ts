import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, multipartFile, namespaceApi, unzipWithPython, zipWithPython } from './namespace-harness';

const FILES = '/api/v1/main/namespaces/company.team/files';
const text = (body: unknown) => new TextDecoder().decode(body as Uint8Array);

async function upload(api: ReturnType<typeof namespaceApi>, path: string, content: string | Uint8Array, filename = 'f.bin') {
  const { body, contentType } = multipartFile(content, filename);
  return api.call('POST', FILES, { body, contentType, query: { path } });
}

/** Every namespace file (path → content), through the store, to compare before and after an attack. */
async function snapshot(api: ReturnType<typeof namespaceApi>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const ns of ['company.team', 'company', 'other']) {
    for (const m of await api.ports.namespaceFiles.list('main', ns)) {
      const data = m.type === 'File' ? await api.ports.namespaceFiles.get('main', ns, m.path) : undefined;
      out[`${ns}:${m.path}`] = data ? new TextDecoder().decode(data) : `<${m.type}>`;
    }
  }
  return out;
}

describe('namespace files API', () => {
  it('uploads a file, serves it with stats, listing and revisions', async () => {
    const api = namespaceApi();
    expect((await upload(api, '/scripts/etl.py', 'print("v1")\n')).status).toBe(200);
    api.clock.advance(1000);
    expect((await upload(api, 'scripts/etl.py', 'print("v2")\n')).status).toBe(200);
    expect((await upload(api, 'scripts/etl.py', 'print("v2")\n')).status).toBe(200);

    const latest = await api.call('GET', FILES, { query: { path: '/scripts/etl.py' } });
    expect(latest.status).toBe(200);
    expect(latest.headers?.['content-type']).toBe('application/octet-stream');
    expect(text(latest.body)).toBe('print("v2")\n');
    expect(text((await api.call('GET', FILES, { query: { path: '/scripts/etl.py', revision: '1' } })).body)).toBe('print("v1")\n');
    expect((await api.call('GET', `${FILES}/revisions`, { query: { path: '/scripts/etl.py' } })).body).toEqual([{ revision: 1 }, { revision: 2 }]);

    const stats = await api.call('GET', `${FILES}/stats`, { query: { path: '/scripts/etl.py' } });
    expect(stats.body).toEqual({
      fileName: 'etl.py',
      type: 'File',
      size: 12,
      creationTime: Date.parse('2026-01-01T00:00:00.000Z'),
      lastModifiedTime: Date.parse('2026-01-01T00:00:01.000Z'),
      metadata: {},
    });
    const root = await api.call('GET', `${FILES}/directory`);
    expect((root.body as { fileName: string; type: string }[]).map((f) => `${f.type}:${f.fileName}`)).toEqual(['Directory:scripts']);
    const scripts = await api.call('GET', `${FILES}/directory`, { query: { path: '/scripts' } });
    expect((scripts.body as { fileName: string }[]).map((f) => f.fileName)).toEqual(['etl.py']);
  });

  it('keeps binary content byte for byte', async () => {
    const api = namespaceApi();
    const bytes = new Uint8Array(4096).map((_, i) => (i * 31) % 256);
    await upload(api, '/data/blob.bin', bytes);
    const got = await api.call('GET', FILES, { query: { path: '/data/blob.bin' } });
    expect(Buffer.from(got.body as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
  });

  it('creates directories, moves files and directories, deletes recursively and searches', async () => {
    const api = namespaceApi();
    expect((await api.call('POST', `${FILES}/directory`, { query: { path: '/empty/deeper' } })).status).toBe(200);
    await upload(api, '/src/a.py', 'a');
    await upload(api, '/src/lib/b.py', 'b');
    await upload(api, '/queries/q.sql', 'select 1');
    expect((await api.call('PUT', FILES, { query: { from: '/queries/q.sql', to: '/sql/q.sql' } })).status).toBe(200);
    expect((await api.call('PUT', FILES, { query: { from: '/src', to: '/code' } })).status).toBe(200);
    expect(text((await api.call('GET', FILES, { query: { path: '/code/lib/b.py' } })).body)).toBe('b');
    expect((await api.call('GET', FILES, { query: { path: '/src/a.py' } })).status).toBe(404);
    expect((await api.call('GET', `${FILES}/search`, { query: { q: '.py' } })).body).toEqual(['/code/a.py', '/code/lib/b.py']);
    expect((await api.call('PUT', FILES, { query: { from: '/code', to: '/sql/q.sql' } })).status).toBe(409);
    expect((await api.call('PUT', FILES, { query: { from: '/code', to: '/code/inner' } })).status).toBe(400);

    expect((await api.call('DELETE', FILES, { query: { path: '/code' } })).status).toBe(204);
    expect((await api.call('GET', `${FILES}/search`, { query: { q: 'py' } })).body).toEqual([]);
    expect((await api.call('DELETE', FILES, { query: { path: '/code' } })).status).toBe(404);
    expect((await api.call('GET', `${FILES}/revisions`, { query: { path: '/code/a.py' } })).status).toBe(404);
    const root = (await api.call('GET', `${FILES}/directory`)).body as { fileName: string }[];
    expect(root.map((f) => f.fileName)).toEqual(['empty', 'queries', 'sql']);
  });

  it('expands an uploaded .zip at the root and exports everything, flows included, as a zip', async () => {
    const api = namespaceApi();
    const zip = zipWithPython({ 'scripts/hello.py': 'print("hi")', 'README.md': '# team', 'conf/a.json': '{}' });
    const { body, contentType } = multipartFile(zip, 'bundle.zip');
    expect((await api.call('POST', FILES, { body, contentType, query: { path: '/ignored' } })).status).toBe(200);
    expect(text((await api.call('GET', FILES, { query: { path: '/scripts/hello.py' } })).body)).toBe('print("hi")');
    expect((await api.call('GET', FILES, { query: { path: '/ignored' } })).status).toBe(404);

    await api.call('POST', '/api/v1/main/flows', {
      body: 'id: hello\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n',
      contentType: 'application/x-yaml',
    });
    const exported = await api.call('GET', `${FILES}/export`);
    expect(exported.status).toBe(200);
    const entries = unzipWithPython(exported.body as Uint8Array);
    expect(Object.keys(entries).sort()).toEqual(['README.md', '_flows/hello.yml', 'conf/a.json', 'scripts/hello.py']);
    expect(entries['scripts/hello.py']).toBe('print("hi")');
    expect(entries['_flows/hello.yml']).toContain('id: hello');
  });

  it('imports a flow uploaded as /_flows/<id>.yml into the namespace and refuses other _flows paths', async () => {
    const api = namespaceApi();
    const yaml = 'id: imported\nnamespace: somewhere.else\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n';
    expect((await upload(api, '/_flows/imported.yml', yaml)).status).toBe(200);
    const flow = await api.call('GET', '/api/v1/main/flows/company.team/imported');
    expect(flow.status).toBe(200);
    expect((await api.call('GET', FILES, { query: { path: '/_flows/imported.yml' } })).status).toBe(400);
    expect((await upload(api, '/_flows/deep/x.txt', 'x')).status).toBe(400);
    expect(await snapshot(api)).toEqual({});
  });

  it('refuses an upload above 50 MB with 413 and stores nothing', async () => {
    const api = namespaceApi();
    const big = new Uint8Array(50 * 1024 * 1024 + 1);
    const res = await upload(api, '/big.bin', big);
    expect(res.status).toBe(413);
    expect(JSON.stringify(res.body)).toContain('above the limit of 52428800 bytes');
    expect(await snapshot(api)).toEqual({});
    const exactly = await upload(api, '/ok.bin', new Uint8Array(50 * 1024 * 1024));
    expect(exactly.status).toBe(200);
  });

  describe('path-escape attacks', () => {
    const attacks = [
      '../escape.txt',
      '/a/../../escape.txt',
      'a/..',
      '..',
      '..\\escape.txt',
      'C:\\escape.txt',
      'a/%2e%2e/%2e%2e/escape.txt',
      '..%2fescape.txt',
      '%2e%2e%5cescape.txt',
      '%252e%252e/escape.txt',
      'a\u0000.txt',
      'nul%00.txt',
      'line\nbreak.txt',
      'file:///etc/passwd',
      'nsfile://other/escape.txt',
      `${'n'.repeat(256)}.txt`,
      Array.from({ length: 110 }, () => 'dirname10').join('/'),
    ];

    it.each(attacks)('rejects %j with 400 on every operation and changes nothing', async (attack) => {
      const api = namespaceApi();
      await upload(api, '/keep.txt', 'keep');
      await api.ports.namespaceFiles.put('main', 'company', '/parent.txt', new TextEncoder().encode('parent'), api.clock.now());
      const before = await snapshot(api);
      const disk = filesUnder(join(api.dir, 'namespace-files'));
      const statuses = [
        (await upload(api, attack, 'pwned')).status,
        (await api.call('GET', FILES, { query: { path: attack } })).status,
        (await api.call('GET', `${FILES}/stats`, { query: { path: attack } })).status,
        (await api.call('GET', `${FILES}/directory`, { query: { path: attack } })).status,
        (await api.call('POST', `${FILES}/directory`, { query: { path: attack } })).status,
        (await api.call('PUT', FILES, { query: { from: '/keep.txt', to: attack } })).status,
        (await api.call('PUT', FILES, { query: { from: attack, to: '/moved.txt' } })).status,
        (await api.call('DELETE', FILES, { query: { path: attack } })).status,
        (await api.call('GET', `${FILES}/revisions`, { query: { path: attack } })).status,
      ];
      expect(statuses).toEqual(Array(statuses.length).fill(400));
      expect(await snapshot(api)).toEqual(before);
      expect(filesUnder(join(api.dir, 'namespace-files'))).toEqual(disk);
    });

    it('rejects a zip with one escaping entry and writes none of its entries', async () => {
      const api = namespaceApi();
      const zip = zipWithPython({ 'good.txt': 'good', '../../evil.txt': 'evil', 'also/fine.txt': 'fine' });
      const { body, contentType } = multipartFile(zip, 'slip.zip');
      const res = await api.call('POST', FILES, { body, contentType });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain("'..' segments");
      expect(await snapshot(api)).toEqual({});
    });

    it('rejects an invalid namespace in the URL', async () => {
      const api = namespaceApi();
      const res = await api.call('GET', '/api/v1/main/namespaces/company..team/files', { query: { path: '/x' } });
      expect(res.status).toBe(400);
    });
  });
});
