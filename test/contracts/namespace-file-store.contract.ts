import type { NamespaceFileStore } from '@windhover/core';
import { describe, expect, it } from 'vitest';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

/**
 * The NamespaceFileStore contract. `makeStore` returns an empty store; every
 * adapter (filesystem + SQLite, DynamoDB + S3) runs this suite unchanged.
 * Paths are already normalized (`/a/b.txt`) as the services pass them.
 */
export function describeNamespaceFileStoreContract(name: string, makeStore: () => Promise<NamespaceFileStore>): void {
  describe(`NamespaceFileStore contract: ${name}`, () => {
    it('stores any bytes and reports the file in stat', async () => {
      const s = await makeStore();
      const data = new Uint8Array(512).map((_, i) => (i * 7) % 256);
      const { meta, changed } = await s.put('main', 'company.team', '/bin/data.bin', data, t(1));
      expect(changed).toBe(true);
      expect(meta).toMatchObject({ path: '/bin/data.bin', type: 'File', size: 512, revision: 1 });
      expect(Buffer.from((await s.get('main', 'company.team', '/bin/data.bin'))!).equals(Buffer.from(data))).toBe(true);
      expect(await s.stat('main', 'company.team', '/bin/data.bin')).toMatchObject({ type: 'File', size: 512, revision: 1, updated: t(1).toISOString() });
    });

    it('stores an empty file and unicode names', async () => {
      const s = await makeStore();
      await s.put('main', 'ns', '/empty.txt', new Uint8Array(0), t(1));
      await s.put('main', 'ns', '/dossier é/naïve 文件.sql', bytes('select 1'), t(1));
      expect((await s.get('main', 'ns', '/empty.txt'))?.byteLength).toBe(0);
      expect(await s.stat('main', 'ns', '/empty.txt')).toMatchObject({ type: 'File', size: 0 });
      expect(text(await s.get('main', 'ns', '/dossier é/naïve 文件.sql'))).toBe('select 1');
    });

    it('adds no revision for an identical write', async () => {
      const s = await makeStore();
      await s.put('main', 'ns', '/q.sql', bytes('select 1'), t(1));
      const again = await s.put('main', 'ns', '/q.sql', bytes('select 1'), t(2));
      expect(again.changed).toBe(false);
      expect(again.meta.revision).toBe(1);
      expect((await s.revisions('main', 'ns', '/q.sql')).map((r) => r.revision)).toEqual([1]);
      expect((await s.stat('main', 'ns', '/q.sql'))?.updated).toBe(t(1).toISOString());
    });

    it('adds a revision for each changed write and keeps older revisions readable', async () => {
      const s = await makeStore();
      await s.put('main', 'ns', '/q.sql', bytes('v1'), t(1));
      const second = await s.put('main', 'ns', '/q.sql', bytes('version two'), t(2));
      await s.put('main', 'ns', '/q.sql', bytes('v3'), t(3));
      expect(second).toMatchObject({ changed: true, meta: { revision: 2, size: 11 } });
      expect(text(await s.get('main', 'ns', '/q.sql'))).toBe('v3');
      expect(text(await s.get('main', 'ns', '/q.sql', 1))).toBe('v1');
      expect(text(await s.get('main', 'ns', '/q.sql', 2))).toBe('version two');
      expect(await s.get('main', 'ns', '/q.sql', 9)).toBeUndefined();
      const revs = await s.revisions('main', 'ns', '/q.sql');
      expect(revs.map((r) => [r.revision, r.size, r.updated])).toEqual([
        [1, 2, t(1).toISOString()],
        [2, 11, t(2).toISOString()],
        [3, 2, t(3).toISOString()],
      ]);
      expect((await s.stat('main', 'ns', '/q.sql'))?.revision).toBe(3);
    });

    it('creates parent directories of a file and lists recursively', async () => {
      const s = await makeStore();
      await s.put('main', 'ns', '/a/b/c.txt', bytes('c'), t(1));
      await s.put('main', 'ns', '/ab.txt', bytes('ab'), t(1));
      expect(await s.stat('main', 'ns', '/a')).toMatchObject({ path: '/a', type: 'Directory' });
      expect(await s.stat('main', 'ns', '/a/b')).toMatchObject({ path: '/a/b', type: 'Directory' });
      expect((await s.list('main', 'ns')).map((m) => `${m.type}:${m.path}`).sort()).toEqual([
        'Directory:/a',
        'Directory:/a/b',
        'File:/a/b/c.txt',
        'File:/ab.txt',
      ]);
      expect((await s.list('main', 'ns', '/a')).map((m) => m.path).sort()).toEqual(['/a/b', '/a/b/c.txt']);
      expect(await s.list('main', 'ns', '/nothing')).toEqual([]);
    });

    it('always has the root and creates directories with their parents, idempotently', async () => {
      const s = await makeStore();
      expect(await s.stat('main', 'ns', '/')).toMatchObject({ type: 'Directory' });
      await s.mkdir('main', 'ns', '/x/y/z', t(1));
      await s.mkdir('main', 'ns', '/x/y/z', t(2));
      expect(await s.stat('main', 'ns', '/x')).toMatchObject({ type: 'Directory' });
      expect(await s.stat('main', 'ns', '/x/y/z')).toMatchObject({ type: 'Directory', path: '/x/y/z' });
      expect((await s.list('main', 'ns')).map((m) => m.path).sort()).toEqual(['/x', '/x/y', '/x/y/z']);
    });

    it('records a delete: the file is gone, its revisions stay readable, a new write continues the numbering', async () => {
      const s = await makeStore();
      await s.put('main', 'ns', '/f.py', bytes('print(1)'), t(1));
      await s.put('main', 'ns', '/f.py', bytes('print(2)'), t(2));
      expect(await s.delete('main', 'ns', '/f.py', t(3))).toEqual(['/f.py']);
      expect(await s.stat('main', 'ns', '/f.py')).toBeUndefined();
      expect(await s.get('main', 'ns', '/f.py')).toBeUndefined();
      expect(text(await s.get('main', 'ns', '/f.py', 1))).toBe('print(1)');
      const revs = await s.revisions('main', 'ns', '/f.py');
      expect(revs.at(-1)).toMatchObject({ deleted: true, revision: 3 });
      expect(revs.slice(0, 2).map((r) => r.revision)).toEqual([1, 2]);
      expect((await s.list('main', 'ns')).map((m) => m.path)).toEqual([]);
      const again = await s.put('main', 'ns', '/f.py', bytes('print(1)'), t(4));
      expect(again.changed).toBe(true);
      expect(again.meta.revision).toBe(4);
      expect(text(await s.get('main', 'ns', '/f.py'))).toBe('print(1)');
    });

    it('deletes a directory recursively and nothing beside it', async () => {
      const s = await makeStore();
      await s.put('main', 'ns', '/dir/a.txt', bytes('a'), t(1));
      await s.put('main', 'ns', '/dir/sub/b.txt', bytes('b'), t(1));
      await s.mkdir('main', 'ns', '/dir/empty', t(1));
      await s.put('main', 'ns', '/dir2/keep.txt', bytes('k'), t(1));
      await s.put('main', 'ns', '/dir.txt', bytes('k'), t(1));
      const deleted = await s.delete('main', 'ns', '/dir', t(2));
      expect([...deleted].sort()).toEqual(['/dir', '/dir/a.txt', '/dir/empty', '/dir/sub', '/dir/sub/b.txt']);
      expect(await s.stat('main', 'ns', '/dir')).toBeUndefined();
      expect(await s.get('main', 'ns', '/dir/sub/b.txt')).toBeUndefined();
      expect((await s.list('main', 'ns')).map((m) => m.path).sort()).toEqual(['/dir.txt', '/dir2', '/dir2/keep.txt']);
      expect(text(await s.get('main', 'ns', '/dir/a.txt', 1))).toBe('a');
      await s.put('main', 'ns', '/dir/a.txt', bytes('back'), t(3));
      expect(await s.stat('main', 'ns', '/dir')).toMatchObject({ type: 'Directory' });
    });

    it('returns nothing when deleting a path that does not exist', async () => {
      const s = await makeStore();
      expect(await s.delete('main', 'ns', '/missing.txt', t(1))).toEqual([]);
      expect(await s.revisions('main', 'ns', '/missing.txt')).toEqual([]);
    });

    it('keeps tenants, namespaces and child namespaces apart', async () => {
      const s = await makeStore();
      await s.put('main', 'a', '/f.txt', bytes('a'), t(1));
      await s.put('main', 'a.b', '/f.txt', bytes('a.b'), t(1));
      await s.put('other', 'a', '/f.txt', bytes('other'), t(1));
      expect(text(await s.get('main', 'a', '/f.txt'))).toBe('a');
      expect(text(await s.get('main', 'a.b', '/f.txt'))).toBe('a.b');
      expect(text(await s.get('other', 'a', '/f.txt'))).toBe('other');
      expect((await s.list('main', 'a')).map((m) => m.path)).toEqual(['/f.txt']);
      await s.delete('main', 'a', '/f.txt', t(2));
      expect(text(await s.get('main', 'a.b', '/f.txt'))).toBe('a.b');
      expect(text(await s.get('other', 'a', '/f.txt'))).toBe('other');
    });
  });
}
