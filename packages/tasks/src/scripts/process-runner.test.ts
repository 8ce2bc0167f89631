import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeTaskRunnerContract } from '../../../../test/contracts/task-runner.contract';
import { ProcessTaskRunner } from './process-runner';

describeTaskRunnerContract('ProcessTaskRunner', () => new ProcessTaskRunner({ env: { PATH: process.env.PATH, SECRET_TOKEN: 'c2VjcmV0' } }));

describe('ProcessTaskRunner in a shared WorkingDirectory folder', () => {
  it('runs in the shared folder and leaves it in place for the next task', async () => {
    const shared = await mkdtemp(join(tmpdir(), 'shared-wd-'));
    await writeFile(join(shared, 'previous.txt'), 'from an earlier task');
    const runner = new ProcessTaskRunner({ env: { PATH: process.env.PATH } });
    const { outputDir } = runner.paths('shared-job');
    const lines: string[] = [];
    const result = await runner.run(
      { jobId: 'shared-job', workingDir: shared, outputDir, sharedWorkingDir: true, command: ['/bin/sh', '-c', 'cat previous.txt; echo new > next.txt'], env: {}, inputFiles: new Map(), outputFiles: [], runnerProperties: {} },
      (l) => lines.push(l.line),
      new AbortController().signal,
    );
    expect(result.exitCode).toBe(0);
    expect(lines).toEqual(['from an earlier task']);
    expect(await readFile(join(shared, 'next.txt'), 'utf8')).toBe('new\n');
  });
});
