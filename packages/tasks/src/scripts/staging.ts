import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';
import { TaskFailure } from '@windhover/core';
import picomatch from 'picomatch';

/**
 * Normalizes a relative file name from a flow (inputFiles keys, output
 * paths) and refuses anything that would leave the working directory.
 */
export function safeRelativePath(name: string): string {
  if (name.includes('\0')) throw TaskFailure.nonRetryable(`Invalid file name '${name}': NUL byte`);
  const normalized = posix.normalize(name.replaceAll('\\', '/')).replace(/^\.\/+/, '');
  if (normalized === '' || normalized === '.' || normalized.startsWith('/') || normalized === '..' || normalized.startsWith('../')) {
    throw TaskFailure.nonRetryable(`Invalid file name '${name}': it must stay inside the working directory`);
  }
  return normalized;
}

/** Writes every input file under `dir`. */
export async function stageFiles(dir: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  for (const [name, content] of files) {
    const target = join(dir, safeRelativePath(name));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

/**
 * Collects the files of `workingDir` matching `globs` (Kestra's outputFiles,
 * relative to the working directory) and every file of `outputDir`.
 */
export async function collectFiles(workingDir: string, outputDir: string, globs: readonly string[]): Promise<Map<string, Uint8Array>> {
  const result = new Map<string, Uint8Array>();
  if (globs.length > 0) {
    const match = picomatch(globs.map((g) => g.replace(/^\.\//, '')), { dot: true });
    for (const file of await walk(workingDir)) {
      const rel = relative(workingDir, file).split(sep).join('/');
      if (match(rel)) result.set(rel, await readFile(file));
    }
  }
  for (const file of await walk(outputDir)) {
    result.set(relative(outputDir, file).split(sep).join('/'), await readFile(file));
  }
  return result;
}
