/**
 * KV and namespace file throughput on the local edition's adapters (SQLite file
 * in WAL mode, content-addressed blobs on disk) through the runtime services
 * the API and tasks use. Run with `npx tsx scripts/bench/kv-namespace-files.ts [count]`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsNamespaceFileStore, SqliteKvStore, SystemClock, openSqliteDatabase } from '@windhover/local';
import { KvService, NamespaceFileService } from '@windhover/runtime';

const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5000);
const dir = mkdtempSync(join(tmpdir(), 'wh-bench-kv-'));
const db = openSqliteDatabase(join(dir, 'bench.db'));
const clock = new SystemClock();
const kv = new KvService(new SqliteKvStore(db), clock);
const files = new NamespaceFileService(new FsNamespaceFileStore(db, join(dir, 'nsfiles')), clock);

async function measure(name: string, n: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(`${name.padEnd(46)} ${n} ops in ${seconds.toFixed(2)} s = ${Math.round(n / seconds)} ops/s\n`);
}

const content = new Uint8Array(4096).map((_, i) => i % 251);
await measure('kv put (STRING, ttl PT1H)', count, (i) => kv.put('main', 'bench.kv', `key_${i}`, { type: 'STRING', value: `value ${i}` }, { ttl: 'PT1H' }));
await measure('kv get', count, (i) => kv.get('main', 'bench.kv', `key_${i}`));
await measure('namespace file put (4 KB, new content)', count, (i) => files.put('main', 'bench.files', `/dir${i % 20}/f${i}.bin`, content.map((b) => b ^ (i & 0xff))));
await measure('namespace file put (identical, no revision)', count, (i) => files.put('main', 'bench.files', `/dir${i % 20}/f${i}.bin`, content.map((b) => b ^ (i & 0xff))));
await measure('namespace file get', count, (i) => files.get('main', 'bench.files', `/dir${i % 20}/f${i}.bin`));
db.close();
