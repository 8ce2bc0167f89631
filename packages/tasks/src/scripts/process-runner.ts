import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScriptJob, ScriptJobResult, ScriptLine, TaskRunner } from '@windhover/core';
import { collectFiles, stageFiles } from './staging';

/** Environment variables a script inherits from the worker; everything else (secrets included) stays out. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'USER', 'SHELL', 'NODE_PATH', 'PYTHONPATH', 'VIRTUAL_ENV'];

/** Grace period between SIGTERM and SIGKILL when a job is killed or times out. */
const KILL_GRACE_MS = 500;

export interface ProcessRunnerOptions {
  /** Parent folder of the jobs' working directories (default: the OS temp folder). */
  readonly baseDir?: string;
  /** The worker's environment, read once by the caller (core-free code never reads process.env itself elsewhere). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const lineSplitter = (stream: ScriptLine['stream'], onLine: (l: ScriptLine) => void) => {
  let buffer = '';
  return {
    push(chunk: Buffer) {
      buffer += chunk.toString('utf8');
      let i = buffer.indexOf('\n');
      while (i >= 0) {
        onLine({ stream, line: buffer.slice(0, i).replace(/\r$/, '') });
        buffer = buffer.slice(i + 1);
        i = buffer.indexOf('\n');
      }
    },
    flush() {
      if (buffer.length > 0) onLine({ stream, line: buffer });
      buffer = '';
    },
  };
};

/**
 * io.kestra.plugin.core.runner.Process: runs the job as a child process of
 * the worker in a fresh working directory. The process gets its own process
 * group so that a kill or a timeout terminates everything it started.
 * Resource limits: none beyond the timeout; the process shares the worker's
 * CPU and memory (Lambda's, or the local machine's).
 */
export class ProcessTaskRunner implements TaskRunner {
  readonly type = 'io.kestra.plugin.core.runner.Process';
  readonly #baseDir: string;
  readonly #env: Readonly<Record<string, string>>;

  constructor(options: ProcessRunnerOptions = {}) {
    this.#baseDir = options.baseDir ?? join(tmpdir(), 'windhover-jobs');
    const source = options.env ?? process.env;
    this.#env = Object.fromEntries(INHERITED_ENV.flatMap((k) => (source[k] !== undefined ? [[k, source[k] as string]] : [])));
  }

  paths(jobId: string): { workingDir: string; outputDir: string } {
    const root = join(this.#baseDir, jobId.replace(/[^A-Za-z0-9._-]/g, '_'));
    return { workingDir: join(root, 'work'), outputDir: join(root, 'outputs') };
  }

  async run(job: ScriptJob, onLine: (line: ScriptLine) => void, signal: AbortSignal): Promise<ScriptJobResult> {
    // The job's own folder; a shared WorkingDirectory folder is not ours to clear or delete.
    const root = job.sharedWorkingDir ? join(job.outputDir, '..') : join(job.workingDir, '..');
    // A resubmitted job starts from scratch, as Kestra's Process runner does.
    await rm(root, { recursive: true, force: true });
    await mkdir(job.workingDir, { recursive: true });
    await mkdir(job.outputDir, { recursive: true });
    try {
      await stageFiles(job.workingDir, job.inputFiles);
      const { exitCode, timedOut } = await this.#spawn(job, onLine, signal);
      const outputFiles = await collectFiles(job.workingDir, job.outputDir, job.outputFiles);
      return { exitCode, timedOut, outputFiles };
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }

  #spawn(job: ScriptJob, onLine: (line: ScriptLine) => void, signal: AbortSignal): Promise<{ exitCode: number; timedOut: boolean }> {
    return new Promise((resolve, reject) => {
      const [file, ...args] = job.command;
      if (!file) {
        reject(new Error('empty command'));
        return;
      }
      const child = spawn(file, args, {
        cwd: job.workingDir,
        env: { ...this.#env, ...job.env, WORKING_DIR: job.workingDir, OUTPUT_DIR: job.outputDir },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out = lineSplitter('stdout', onLine);
      const err = lineSplitter('stderr', onLine);
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      let timedOut = false;
      let killTimer: NodeJS.Timeout | undefined;
      const killGroup = () => {
        if (child.pid === undefined || child.exitCode !== null) return;
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        killTimer = setTimeout(() => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, KILL_GRACE_MS);
      };
      const timeout = job.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            killGroup();
          }, job.timeoutMs)
        : undefined;
      const onAbort = () => killGroup();
      if (signal.aborted) killGroup();
      else signal.addEventListener('abort', onAbort, { once: true });
      child.on('error', (e) => {
        clearTimeout(timeout);
        signal.removeEventListener('abort', onAbort);
        reject(e);
      });
      child.on('close', (code, sig) => {
        clearTimeout(timeout);
        clearTimeout(killTimer);
        signal.removeEventListener('abort', onAbort);
        out.flush();
        err.flush();
        // Kill the rest of the group too: a background child must not outlive its task.
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // group already empty
        }
        resolve({ exitCode: code ?? (sig === 'SIGKILL' ? 137 : 143), timedOut });
      });
    });
  }
}
