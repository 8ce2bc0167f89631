import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Copies of /work/shared/examples (Kestra documentation flows and hand-written invalid flows), kept in the repo so a clean clone can run the tests. */
export const FIXTURES = join(import.meta.dirname, 'fixtures');
export const DOCS_FLOWS = join(FIXTURES, 'docs-flows');
export const INVALID_FLOWS = join(FIXTURES, 'invalid-flows');

export interface ManifestRow {
  readonly file: string;
  readonly types: readonly string[];
}

export function readManifest(): ManifestRow[] {
  const [, ...rows] = readFileSync(join(DOCS_FLOWS, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  return rows.map((row) => {
    const [file, , types] = row.split('\t');
    return { file, types: types ? types.split(',') : [] };
  });
}

export function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
}

export const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');
