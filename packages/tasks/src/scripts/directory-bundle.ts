import { chmod, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { safeRelativePath } from './staging';

const gz = promisify(gzip);
const gunz = promisify(gunzip);
const MAGIC = 'WHDIR1';

/**
 * Packs a directory into one gzip'd byte array: [magic] then, per regular
 * file, [path length u32][path][mode u32][size u64][bytes]. Symbolic links
 * and special files are skipped. Used to carry a WorkingDirectory's files
 * from one task run to the next through internal storage, since serverless
 * workers share no disk.
 */
export async function packDirectory(dir: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [Buffer.from(MAGIC)];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) {
        await walk(full);
      } else if (entry.isFile()) {
        const rel = Buffer.from(relative(dir, full).split(sep).join('/'));
        const stat = await lstat(full);
        const content = await readFile(full);
        const header = Buffer.alloc(4 + rel.length + 4 + 8);
        header.writeUInt32BE(rel.length, 0);
        rel.copy(header, 4);
        header.writeUInt32BE(stat.mode & 0o777, 4 + rel.length);
        header.writeBigUInt64BE(BigInt(content.length), 8 + rel.length);
        chunks.push(header, content);
      }
    }
  };
  await walk(dir);
  return new Uint8Array(await gz(Buffer.concat(chunks)));
}

/** Unpacks what packDirectory produced into `dir`; every path is checked to stay inside it. */
export async function unpackDirectory(bundle: Uint8Array, dir: string): Promise<number> {
  const data = await gunz(bundle);
  if (data.subarray(0, MAGIC.length).toString() !== MAGIC) throw new Error('not a working directory bundle');
  let offset = MAGIC.length;
  let count = 0;
  await mkdir(dir, { recursive: true });
  while (offset < data.length) {
    const pathLength = data.readUInt32BE(offset);
    const rel = safeRelativePath(data.subarray(offset + 4, offset + 4 + pathLength).toString());
    const mode = data.readUInt32BE(offset + 4 + pathLength);
    const size = Number(data.readBigUInt64BE(offset + 8 + pathLength));
    const start = offset + 16 + pathLength;
    const target = join(dir, rel);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data.subarray(start, start + size));
    await chmod(target, mode);
    offset = start + size;
    count++;
  }
  return count;
}
