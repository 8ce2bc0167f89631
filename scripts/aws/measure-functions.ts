/**
 * Bundle size and cold-start import time of every Lambda function, bundled
 * with the same esbuild options as the CDK construct (lib/windhover-function.ts):
 * CommonJS, node22 target, minified, source map without sources, AWS SDK external (the
 * Lambda runtime provides it),
 * and the lazy modules (LAZY_MODULES, e.g. date-holidays) kept out of the bundle and
 * built beside it in node_modules/, required only on first use.
 * Import time is measured in a fresh Node process per function, SDK included,
 * median of 5 runs, without and with --enable-source-maps (the functions' NODE_OPTIONS:
 * Node then parses index.js.map at load); a lazy module's row is the time of its first use.
 * Run: npx tsx scripts/aws/measure-functions.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { LAZY_MODULES } from '../../lib/windhover-function';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = join(root, '.tmp', 'function-bundles');
mkdirSync(out, { recursive: true });
const FUNCTIONS = ['api', 'authorizer', 'executor', 'worker', 'scheduler'];
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;

/** Median of 5 fresh-process timings of `code`, which writes its milliseconds to stdout. */
function median(code: string, flags: readonly string[] = []): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const ms = execFileSync(process.execPath, ['--no-warnings', ...flags, '-e', code], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, WINDHOVER_TABLE_NAME: 't' },
    });
    times.push(Number(ms));
  }
  times.sort((a, b) => a - b);
  return times[2] ?? Number.NaN;
}
const timed = (body: string): string => `const t=process.hrtime.bigint();${body};process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;

// Lazy modules: built once, the same way lib/windhover-function.ts builds them beside each bundle.
const lazyRows: string[] = [];
let lazyBytes = 0;
for (const { name, entry } of LAZY_MODULES) {
  const dir = join(out, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  await build({ entryPoints: [join(root, entry)], bundle: true, platform: 'node', format: 'cjs', target: 'node22', minify: true, outfile: join(dir, 'index.js'), logLevel: 'error' });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, main: 'index.js', type: 'commonjs' }));
  const file = join(dir, 'index.js');
  lazyBytes += statSync(file).size;
  const ms = median(timed(`require(${JSON.stringify(dir)})`));
  lazyRows.push(`| ${name} (lazy, on first use) | ${kb(statSync(file).size)} | ${kb(gzipSync(readFileSync(file)).byteLength)} | +${ms.toFixed(0)} ms | |`);
}

const rows: string[] = [
  '| function | index.js (minified) | gzipped | cold import p50 | with --enable-source-maps |',
  '|---|---:|---:|---:|---:|',
];
for (const name of FUNCTIONS) {
  const outfile = join(out, `${name}.cjs`);
  await build({
    entryPoints: [join(root, 'functions', name, 'handler.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*', '@smithy/*', ...LAZY_MODULES.map((m) => m.name)],
    banner: { js: "const __wh_meta_url=require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__wh_meta_url' },
    outfile,
    logLevel: 'error',
  });
  const size = statSync(outfile).size;
  const gz = gzipSync(readFileSync(outfile)).byteLength;
  const ms = median(timed(`require(${JSON.stringify(outfile)})`));
  const withMaps = median(timed(`require(${JSON.stringify(outfile)})`), ['--enable-source-maps']);
  rows.push(`| ${name} | ${kb(size)} | ${kb(gz)} | ${ms.toFixed(0)} ms | ${withMaps.toFixed(0)} ms |`);
}
rows.push(...lazyRows);
process.stdout.write(`${rows.join('\n')}\n\nEach function also ships the lazy modules beside index.js: ${kb(lazyBytes)} (loaded only when needed).\n`);
