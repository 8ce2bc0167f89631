/**
 * Bundle size and cold-start import time of every Lambda function, bundled
 * with the same esbuild options as the CDK construct (lib/windhover-function.ts):
 * CommonJS, node22 target, minified, AWS SDK external (the Lambda runtime provides it).
 * Import time is measured in a fresh Node process per function, SDK included,
 * median of 5 runs. Run: npx tsx scripts/aws/measure-functions.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = join(root, '.tmp', 'function-bundles');
mkdirSync(out, { recursive: true });
const FUNCTIONS = ['api', 'authorizer', 'executor', 'worker', 'scheduler'];

const rows: string[] = ['| function | bundle (minified) | gzipped | cold import p50 |', '|---|---:|---:|---:|'];
for (const name of FUNCTIONS) {
  const outfile = join(out, `${name}.cjs`);
  await build({
    entryPoints: [join(root, 'functions', name, 'handler.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: true,
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*', '@smithy/*'],
    banner: { js: "const __wh_meta_url=require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__wh_meta_url' },
    outfile,
    logLevel: 'error',
  });
  const size = statSync(outfile).size;
  const gz = gzipSync(readFileSync(outfile)).byteLength;
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const ms = execFileSync(
      process.execPath,
      ['--no-warnings', '-e', `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`],
      { cwd: root, encoding: 'utf8', env: { ...process.env, WINDHOVER_TABLE_NAME: 't' } },
    );
    times.push(Number(ms));
  }
  times.sort((a, b) => a - b);
  rows.push(`| ${name} | ${(size / 1024).toFixed(0)} KB | ${(gz / 1024).toFixed(0)} KB | ${times[2].toFixed(0)} ms |`);
}
process.stdout.write(`${rows.join('\n')}\n`);
