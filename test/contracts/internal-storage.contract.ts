import type { InternalStorage } from '@windhover/core';
import { describe, expect, it } from 'vitest';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code ?? 'NO_CODE';
  }
};

/** The InternalStorage contract; `makeStorage` returns an empty storage. */
export function describeInternalStorageContract(name: string, makeStorage: () => Promise<InternalStorage>): void {
  describe(`InternalStorage contract: ${name}`, () => {
    const base = 'kestra:///company/team/hello/executions/ex1';

    it('stores and returns bytes exactly, including binary data', async () => {
      const s = await makeStorage();
      const data = new Uint8Array(256).map((_, i) => i);
      await s.put(`${base}/tasks/t/tr1/bin.dat`, data);
      expect(Buffer.from(await s.get(`${base}/tasks/t/tr1/bin.dat`)).equals(Buffer.from(data))).toBe(true);
      expect(await s.exists(`${base}/tasks/t/tr1/bin.dat`)).toBe(true);
      expect(await s.size(`${base}/tasks/t/tr1/bin.dat`)).toBe(256);
    });

    it('overwrites a file', async () => {
      const s = await makeStorage();
      await s.put(`${base}/f.txt`, bytes('first'));
      await s.put(`${base}/f.txt`, bytes('second, longer'));
      expect(text(await s.get(`${base}/f.txt`))).toBe('second, longer');
      expect(await s.size(`${base}/f.txt`)).toBe(14);
    });

    it('reports a missing file as NOT_FOUND and exists() false', async () => {
      const s = await makeStorage();
      expect(await codeOf(s.get(`${base}/missing.txt`))).toBe('NOT_FOUND');
      expect(await codeOf(s.size(`${base}/missing.txt`))).toBe('NOT_FOUND');
      expect(await s.exists(`${base}/missing.txt`)).toBe(false);
    });

    it('deletes a file and says whether it existed', async () => {
      const s = await makeStorage();
      await s.put(`${base}/d.txt`, bytes('x'));
      expect(await s.delete(`${base}/d.txt`)).toBe(true);
      expect(await s.exists(`${base}/d.txt`)).toBe(false);
      expect(await s.delete(`${base}/d.txt`)).toBe(false);
    });

    it('lists files under a prefix recursively, not siblings that share its text', async () => {
      const s = await makeStorage();
      await s.put('kestra:///ns/flow/executions/a/one.txt', bytes('1'));
      await s.put('kestra:///ns/flow/executions/a/deep/two.txt', bytes('2'));
      await s.put('kestra:///ns/flow/executions/ab/three.txt', bytes('3'));
      expect([...(await s.list('kestra:///ns/flow/executions/a'))].sort()).toEqual([
        'kestra:///ns/flow/executions/a/deep/two.txt',
        'kestra:///ns/flow/executions/a/one.txt',
      ]);
      expect((await s.list('kestra:///ns/flow/executions')).length).toBe(3);
      expect(await s.list('kestra:///nothing/here')).toEqual([]);
    });

    it('deletes everything under a prefix and returns the count', async () => {
      const s = await makeStorage();
      await s.put('kestra:///p/x/1.txt', bytes('1'));
      await s.put('kestra:///p/x/y/2.txt', bytes('2'));
      await s.put('kestra:///p/xy/3.txt', bytes('3'));
      expect(await s.deletePrefix('kestra:///p/x')).toBe(2);
      expect(await s.exists('kestra:///p/x/1.txt')).toBe(false);
      expect(await s.exists('kestra:///p/xy/3.txt')).toBe(true);
      expect(await s.deletePrefix('kestra:///p/x')).toBe(0);
    });

    it('round-trips a 5 MB file', async () => {
      const s = await makeStorage();
      const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 31) % 251);
      await s.put(`${base}/big.bin`, big);
      expect(await s.size(`${base}/big.bin`)).toBe(big.length);
      expect(Buffer.from(await s.get(`${base}/big.bin`)).equals(Buffer.from(big))).toBe(true);
    });

    it('rejects paths that are not clean absolute paths with BAD_REQUEST and writes nothing', async () => {
      const s = await makeStorage();
      for (const uri of ['kestra:///a/../../escape.txt', 'kestra:///../escape.txt', 'kestra://relative.txt', 'kestra:///a//b.txt', 'kestra:///a/./b.txt']) {
        expect(await codeOf(s.put(uri, bytes('x'))), uri).toBe('BAD_REQUEST');
        expect(await codeOf(s.get(uri)), uri).toBe('BAD_REQUEST');
      }
      expect(await s.list('kestra:///')).toEqual([]);
    });
  });
}
