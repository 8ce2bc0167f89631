/**
 * Validates 1,000 flows and prints the time (target: under 1 s).
 * The flows are the Kestra documentation examples whose types are all
 * registered, repeated to reach 1,000. Schema compilation happens once per
 * registry and is reported apart.
 *
 *   npx tsx scripts/bench/validate.ts [count]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { validateFlowSource, warmFlowValidator } from '@windhover/core';
import { createDescriptorRegistry } from '@windhover/tasks';

const count = Number(process.argv[2] ?? 1000);
const dir = join(import.meta.dirname, '../../test/flows/fixtures/docs-flows');
const registry = createDescriptorRegistry();

const all = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => readFileSync(join(dir, f), 'utf8'));

let t = performance.now();
warmFlowValidator(registry, registry.names());
const compileMs = performance.now() - t;

const valid = all.filter((s) => validateFlowSource(s, { registry }).length === 0);
const flows = Array.from({ length: count }, (_, i) => valid[i % valid.length]);
const bytes = flows.reduce((n, s) => n + s.length, 0);

// One warm-up pass so the JIT has seen the code, then the measured pass.
for (const s of flows.slice(0, 100)) validateFlowSource(s, { registry });
t = performance.now();
const cpu = process.cpuUsage();
let problems = 0;
for (const s of flows) problems += validateFlowSource(s, { registry }).length;
const ms = performance.now() - t;
// CPU time of this process: on a busy machine wall time includes waiting for a core.
const { user, system } = process.cpuUsage(cpu);

process.stdout.write(
  `${JSON.stringify(
    {
      flows: count,
      distinctFlows: valid.length,
      totalKB: Math.round(bytes / 1024),
      validateMs: Math.round(ms),
      cpuMs: Math.round((user + system) / 1000),
      perFlowMs: Number((ms / count).toFixed(3)),
      schemaCompileMs: Math.round(compileMs),
      problems,
      target: `${count} flows < 1000 ms`,
      met: ms < 1000,
      metOnCpu: (user + system) / 1000 < 1000,
      loadAverage: loadavg()[0],
    },
    null,
    2,
  )}\n`,
);
