import type { ScriptJob, ScriptLine, TaskRunner } from '@windhover/core';
import { describe, expect, it } from 'vitest';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

let seq = 0;
function job(runner: TaskRunner, command: string, extra: Partial<ScriptJob> = {}): ScriptJob {
  const jobId = `contract-${process.pid}-${Date.now()}-${seq++}`;
  return { jobId, ...runner.paths(jobId), command: ['/bin/sh', '-c', command], env: {}, inputFiles: new Map(), outputFiles: [], runnerProperties: {}, ...extra };
}

async function run(runner: TaskRunner, j: ScriptJob, signal = new AbortController().signal) {
  const lines: ScriptLine[] = [];
  const result = await runner.run(j, (l) => lines.push(l), signal);
  return { result, lines };
}

/**
 * The runner-neutral contract (issue 8): inputs staged, command run in the
 * working directory, lines streamed, output files collected, exit code
 * reported, timeout and cancellation honoured.
 */
export function describeTaskRunnerContract(name: string, makeRunner: () => TaskRunner): void {
  describe(`TaskRunner contract: ${name}`, () => {
    it('stages input files in the working directory and runs the command there', async () => {
      const r = makeRunner();
      const j = job(r, 'cat data/in.txt; pwd', { inputFiles: new Map([['data/in.txt', enc('hello input\n')]]) });
      const { result, lines } = await run(r, j);
      expect(result.exitCode).toBe(0);
      expect(lines[0]).toEqual({ stream: 'stdout', line: 'hello input' });
      expect(lines[1]?.line).toBe(j.workingDir);
    });

    it('streams stdout and stderr lines separately, in order', async () => {
      const r = makeRunner();
      const { lines } = await run(r, job(r, 'echo one; echo two >&2; printf three'));
      expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['one', 'three']);
      expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['two']);
    });

    it('passes env, WORKING_DIR and OUTPUT_DIR and keeps the worker secrets out', async () => {
      const r = makeRunner();
      const j = job(r, 'echo "$GREETING|$WORKING_DIR|$OUTPUT_DIR|${SECRET_TOKEN:-none}"', { env: { GREETING: 'hi' } });
      const { lines } = await run(r, j);
      expect(lines[0]?.line).toBe(`hi|${j.workingDir}|${j.outputDir}|none`);
    });

    it('collects output files by glob and everything written to the output directory', async () => {
      const r = makeRunner();
      const j = job(r, 'mkdir -p out && echo a > out/a.csv && echo b > b.txt && echo c > "$OUTPUT_DIR/c.json"', { outputFiles: ['out/*.csv'] });
      const { result } = await run(r, j);
      expect([...result.outputFiles.keys()].sort()).toEqual(['c.json', 'out/a.csv']);
      expect(dec(result.outputFiles.get('out/a.csv'))).toBe('a\n');
    });

    it('reports a non-zero exit code', async () => {
      const r = makeRunner();
      const { result } = await run(r, job(r, 'exit 3'));
      expect(result.exitCode).toBe(3);
      expect(result.timedOut).toBe(false);
    });

    it('kills the job and its children when the timeout elapses', async () => {
      const r = makeRunner();
      const started = Date.now();
      const { result } = await run(r, job(r, 'sleep 30 & sleep 30; echo never', { timeoutMs: 300 }));
      expect(result.timedOut).toBe(true);
      expect(result.exitCode).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('terminates the job within a second of cancellation', async () => {
      const r = makeRunner();
      const ac = new AbortController();
      const lines: ScriptLine[] = [];
      const started = Date.now();
      const pending = r.run(job(r, 'echo started; sleep 30'), (l) => {
        lines.push(l);
        if (l.line === 'started') ac.abort();
      }, ac.signal);
      const result = await pending;
      expect(result.exitCode).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('refuses input files that would escape the working directory', async () => {
      const r = makeRunner();
      await expect(run(r, job(r, 'true', { inputFiles: new Map([['../escape.txt', enc('x')]]) }))).rejects.toThrow(/inside the working directory/);
    });
  });
}
