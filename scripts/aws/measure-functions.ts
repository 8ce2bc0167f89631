/**
 * Bundle size and cold-start import time of every Lambda function, bundled
 * with the same esbuild options as the CDK construct (lib/windhover-function.ts):
 * CommonJS, node22 target, minified, source map without sources, AWS SDK external (the
 * Lambda runtime provides it), and the lazy modules (LAZY_MODULES: date-holidays,
 * isomorphic-git...) kept out of the bundle and built beside it in node_modules/,
 * required only on first use.
 *
 * Each function is laid out as its Lambda asset, in a temporary folder outside
 * the repository (so nothing resolves from the repository's node_modules):
 * index.js, index.js.map, node_modules/ with the lazy and copied modules; the
 * AWS SDK comes through NODE_PATH, as in the Lambda runtime.
 * Import time is measured in a fresh Node process per function, SDK included,
 * median of 5 runs, without and with --enable-source-maps (the functions' NODE_OPTIONS:
 * Node then parses index.js.map at load); a lazy module's row is the time of its first use.
 *
 * Exits 1 (after printing the table) when the api's index.js exceeds 1 MiB, when a
 * bundle imports a module the Lambda package would not have, inlines a lazy module,
 * loads a lazy module at load time, or when a lazy or copied module is missing beside
 * a bundle or does not work there (each has a probe below).
 * Run: npx tsx scripts/aws/measure-functions.ts
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { COPIED_MODULES, LAZY_MODULES } from '../../lib/windhover-function';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'windhover-functions-'));
const FUNCTIONS = ['api', 'authorizer', 'executor', 'worker', 'scheduler'];
/** Issue 7's budgets for the api function. */
const API_MAX_BYTES = 1024 * 1024;
const API_COLD_REQUIRE_BUDGET_MS = 300;
/**
 * What each module required at run time must do once required from beside a
 * bundle: an expression over the module `m` (awaited) that must be true.
 */
const PROBES: Readonly<Record<string, string>> = {
  'date-holidays': "new (m.default ?? m)('FR').getHolidays(2026).some((h) => h.type === 'public' && h.date.startsWith('2026-07-14'))",
  'isomorphic-git': "typeof m.clone === 'function' && typeof m.push === 'function' && /^\\d+\\./.test(m.version())",
  'isomorphic-git/http/node': "typeof (m.default ?? m).request === 'function'",
  'ajv/dist/2020': "new m.Ajv2020().compile({ type: 'object', required: ['id'] })({ id: 'x' }) === true",
  'ion-js': "m.dumpText({ a: 1 }) === '{a:1}'",
  'jq-web': "m.then((jq) => jq.raw('{\"a\":[1,2]}', '.a | length', ['-c']).trim() === '2')",
};
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
const failures: string[] = [];

// The AWS SDK as the Lambda runtime provides it: on NODE_PATH, not in the package.
const runtimeModules = join(out, 'lambda-runtime', 'node_modules');
mkdirSync(runtimeModules, { recursive: true });
for (const scope of ['@aws-sdk', '@smithy']) symlinkSync(join(root, 'node_modules', scope), join(runtimeModules, scope), 'dir');
const childEnv = { ...process.env, WINDHOVER_TABLE_NAME: 't', NODE_PATH: runtimeModules };

/** Runs `code` in a fresh Node process in `cwd` and returns its stdout. */
const run = (code: string, cwd: string, flags: readonly string[] = []): string =>
  execFileSync(process.execPath, ['--no-warnings', ...flags, '-e', code], { cwd, encoding: 'utf8', env: childEnv });

/** Median of 5 fresh-process timings of `code`, which writes its milliseconds to stdout. */
function median(code: string, cwd: string, flags: readonly string[] = []): number {
  const times = Array.from({ length: 5 }, () => Number(run(code, cwd, flags))).sort((a, b) => a - b);
  return times[2] ?? Number.NaN;
}
const timed = (body: string): string => `const t=process.hrtime.bigint();${body};process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
/** The package a module name belongs to (`isomorphic-git/http/node` -> `isomorphic-git`). */
const packageOf = (name: string): string => name.split('/').slice(0, name.startsWith('@') ? 2 : 1).join('/');

// Lazy modules: built once, the same way lib/windhover-function.ts builds them beside each bundle.
const lazyDir = join(out, 'lazy', 'node_modules');
for (const { name, entry } of LAZY_MODULES) {
  const dir = join(lazyDir, name);
  mkdirSync(dir, { recursive: true });
  await build({ entryPoints: [join(root, entry)], bundle: true, platform: 'node', format: 'cjs', target: 'node22', minify: true, outfile: join(dir, 'index.js'), logLevel: 'error' });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, main: 'index.js', type: 'commonjs' }));
}
const shipped = [...LAZY_MODULES.map((m) => m.name), ...COPIED_MODULES.map((m) => m.name)];
for (const name of shipped) if (!PROBES[name]) failures.push(`${name}: no probe in scripts/aws/measure-functions.ts (add one)`);

/**
 * In a fresh process beside the bundle: loading index.js must not load a lazy
 * module; then each shipped module must resolve inside the package and pass its probe.
 */
function checkShipped(fn: string, dir: string): void {
  const code = `(async () => {
    const { createRequire } = require('node:module');
    const { pathToFileURL } = require('node:url');
    const index = ${JSON.stringify(join(dir, 'index.js'))};
    const own = ${JSON.stringify(join(dir, 'node_modules'))} + '/';
    require(index);
    const problems = [];
    const early = Object.keys(require.cache).filter((k) => ${JSON.stringify(LAZY_MODULES.map((m) => m.name))}.some((n) => k.startsWith(own + n + '/')));
    if (early.length > 0) problems.push('loaded at load time: ' + early.join(', '));
    const req = createRequire(pathToFileURL(index).href);
    for (const [name, probe] of Object.entries(${JSON.stringify(Object.fromEntries(shipped.map((n) => [n, PROBES[n] ?? 'true'])))})) {
      try {
        const path = req.resolve(name);
        if (!path.startsWith(own)) { problems.push(name + ' resolves outside the package: ' + path); continue; }
        const m = req(name);
        if ((await new Function('m', 'return ' + probe)(m)) !== true) problems.push(name + ': probe failed: ' + probe);
      } catch (e) { problems.push(name + ': ' + e.message.split('\\n')[0]); }
    }
    process.stdout.write(JSON.stringify(problems));
  })();`;
  for (const problem of JSON.parse(run(code, dir)) as string[]) failures.push(`${fn}: ${problem}`);
}

const rows: string[] = [
  '| function | index.js (minified) | gzipped | cold import p50 | with --enable-source-maps |',
  '|---|---:|---:|---:|---:|',
];
for (const name of FUNCTIONS) {
  const dir = join(out, name);
  const outfile = join(dir, 'index.js');
  const result = await build({
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
    metafile: true,
    logLevel: 'error',
  });
  // The package beside index.js, as afterBundling builds it.
  cpSync(lazyDir, join(dir, 'node_modules'), { recursive: true });
  for (const m of COPIED_MODULES) for (const f of m.files) cpSync(join(root, 'node_modules', m.name, f), join(dir, 'node_modules', m.name, f));

  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  for (const imp of output?.imports ?? []) {
    if (!imp.external) continue;
    const ok =
      imp.path.startsWith('node:') ||
      builtinModules.includes(imp.path) ||
      /^@(aws-sdk|smithy)\//.test(imp.path) ||
      LAZY_MODULES.some((m) => imp.path === m.name || imp.path.startsWith(`${m.name}/`));
    if (!ok) failures.push(`${name}: imports ${imp.path}, which the Lambda package does not ship`);
  }
  for (const lazy of new Set(LAZY_MODULES.map((m) => packageOf(m.name)))) {
    const inlined = Object.keys(output?.inputs ?? {}).filter((f) => f.includes(`node_modules/${lazy}/`));
    if (inlined.length > 0) failures.push(`${name}: lazy module ${lazy} is inlined in index.js (${inlined[0]}...): import it through its loader`);
  }
  checkShipped(name, dir);

  const size = statSync(outfile).size;
  const gz = gzipSync(readFileSync(outfile)).byteLength;
  const ms = median(timed(`require(${JSON.stringify(outfile)})`), dir);
  const withMaps = median(timed(`require(${JSON.stringify(outfile)})`), dir, ['--enable-source-maps']);
  rows.push(`| ${name} | ${kb(size)} | ${kb(gz)} | ${ms.toFixed(0)} ms | ${withMaps.toFixed(0)} ms |`);
  if (name === 'api') {
    if (size > API_MAX_BYTES) failures.push(`api: index.js is ${size} bytes, over the ${API_MAX_BYTES}-byte (1 MiB) budget`);
    if (ms > API_COLD_REQUIRE_BUDGET_MS) {
      process.stderr.write(`warning: api cold import ${ms.toFixed(0)} ms is over the ${API_COLD_REQUIRE_BUDGET_MS} ms target (timings depend on machine load)\n`);
    }
  }
}

// A lazy module's first use, from beside the api bundle.
let lazyBytes = 0;
for (const { name } of LAZY_MODULES) {
  const file = join(lazyDir, name, 'index.js');
  lazyBytes += statSync(file).size;
  const apiDir = join(out, 'api');
  const ms = median(timed(`require('node:module').createRequire(${JSON.stringify(join(apiDir, 'index.js'))})(${JSON.stringify(name)})`), apiDir);
  rows.push(`| ${name} (lazy, on first use) | ${kb(statSync(file).size)} | ${kb(gzipSync(readFileSync(file)).byteLength)} | +${ms.toFixed(0)} ms | |`);
}
process.stdout.write(`${rows.join('\n')}\n\nEach function also ships the lazy modules beside index.js: ${kb(lazyBytes)} (loaded only when needed).\n`);
rmSync(out, { recursive: true, force: true });
if (failures.length > 0) {
  process.stderr.write(`\n${failures.length} problem(s):\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('Checked: api within 1 MiB; every lazy and copied module ships beside each bundle, loads only on first use and passes its probe.\n');
