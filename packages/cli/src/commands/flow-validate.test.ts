import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../command';
import { main } from '../main';

function capture(): CliIo & { out: (t: string) => void; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

const VALID = 'id: hello\nnamespace: company.team\ntasks:\n  - id: hi\n    type: io.kestra.plugin.core.log.Log\n    message: Hello\n';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'windhover-validate-'));
  await mkdir(join(dir, 'flows', 'nested'), { recursive: true });
  await writeFile(join(dir, 'flows', 'good.yml'), VALID);
  await writeFile(join(dir, 'flows', 'nested', 'bad.yaml'), VALID.replace('Log\n', 'Logg\n').replace('id: hi', 'id: hi\n    retry: {type: constant, interval: PT, maxAttempts: 2}'));
  await writeFile(join(dir, 'flows', 'notes.txt'), 'not a flow');
  await writeFile(join(dir, 'multi.yml'), `${VALID}---\n${VALID.replace('namespace: company.team\n', '')}`);
  await writeFile(join(dir, 'huge.yml'), `id: x\nnamespace: y\ndescription: "${'a'.repeat(1024 * 1024)}"\ntasks: []\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('windhover flow validate', () => {
  it('exits 0 and prints a summary when every flow is valid', async () => {
    const io = capture();
    expect(await main(['flow', 'validate', join(dir, 'flows', 'good.yml')], io)).toBe(0);
    expect(io.stdout).toEqual(['1 flow in 1 file: 1 valid, 0 invalid (0 problems)']);
  });

  it('walks directories for .yml/.yaml files and prints file:line:col: message (path) per problem', async () => {
    const io = capture();
    expect(await main(['flow', 'validate', join(dir, 'flows')], io)).toBe(1);
    const bad = join(dir, 'flows', 'nested', 'bad.yaml');
    expect(io.stdout).toEqual([
      `${bad}:5:39: invalid ISO-8601 duration "PT" (no amount/unit after PT; e.g. PT5M) (tasks[0].retry.interval)`,
      `${bad}:6:11: unknown task type \`io.kestra.plugin.core.log.Logg\` (did you mean \`io.kestra.plugin.core.log.Log\`?) (tasks[0].type)`,
      '2 flows in 2 files: 1 valid, 1 invalid (2 problems)',
    ]);
  });

  it('reports each document of a multi-document file with its index in JSON', async () => {
    const io = capture();
    expect(await main(['flow', 'validate', '--format', 'json', join(dir, 'multi.yml')], io)).toBe(1);
    const report = JSON.parse(io.stdout.join('\n')) as {
      files: { file: string; results: { index: number; flow: string; namespace: string | null; constraints: string | null }[] }[];
      summary: Record<string, number>;
    };
    expect(report.summary).toEqual({ files: 1, flows: 2, valid: 1, invalid: 1, problems: 1 });
    expect(report.files[0].results.map((r) => [r.index, r.flow, r.namespace])).toEqual([
      [0, 'hello', 'company.team'],
      [1, 'hello', null],
    ]);
    expect(report.files[0].results[1].constraints).toBe('document 2 of 2: missing required property `namespace` at the flow root');
  });

  it('refuses files over 1 MB without parsing them', async () => {
    const io = capture();
    expect(await main(['flow', 'validate', join(dir, 'huge.yml')], io)).toBe(1);
    expect(io.stdout[0]).toMatch(/huge\.yml:1:1: flow source is \d+ bytes; the limit is 1048576 bytes \(1 MB\)$/);
  });

  it('exits 2 on usage errors and missing paths', async () => {
    const io = capture();
    expect(await main(['flow', 'validate'], io)).toBe(2);
    expect(await main(['flow', 'validate', '--format', 'xml', dir], io)).toBe(2);
    expect(await main(['flow', 'validate', join(dir, 'nope')], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain('no such file or directory');
  });
});

describe('windhover schema', () => {
  it('writes the flow JSON Schema that editors use', async () => {
    const io = capture();
    const out = join(dir, 'dist', 'flow.schema.json');
    expect(await main(['schema', '--out', out], io)).toBe(0);
    const schema = JSON.parse(await readFile(out, 'utf8')) as { $schema: string; required: string[]; $defs: { task: { oneOf: { properties: { type: unknown } }[] } } };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['id', 'namespace', 'tasks']);
    const types = JSON.stringify(schema.$defs.task.oneOf.map((b) => b.properties.type));
    expect(types).toContain('io.kestra.plugin.core.log.Log');
    expect(types).toContain('io.kestra.plugin.git.SyncFlows');
    expect(types).toContain('io.kestra.plugin.scripts.python.Script');
  });

  it('prints the schema to stdout without --out', async () => {
    const io = capture();
    expect(await main(['schema'], io)).toBe(0);
    expect((JSON.parse(io.stdout.join('')) as { title: string }).title).toBe('Kestra flow (Windhover)');
  });
});
