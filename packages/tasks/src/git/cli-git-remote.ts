import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskFailure } from '@windhover/core';
import { type GitConnection, scrub } from './git-connection';
import { type CloneOptions, type GitRemote, PushRejected, type RemoteRefs } from './git-remote';

interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], env: NodeJS.ProcessEnv, signal?: AbortSignal, cwd?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { env, cwd, signal, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          TaskFailure.nonRetryable(
            'SSH Git URLs need a git binary, which this runtime does not have (AWS Lambda): use an https URL with username and password/token, or run the task on Fargate or the local edition',
          ),
        );
        return;
      }
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? Number((error as { code?: unknown }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Git over SSH through the `git` binary (local edition, Fargate), with the
 * task's `privateKey` and `passphrase`. Host keys are accepted on first use
 * and checked afterwards (Kestra disables the check entirely).
 */
export class CliGitRemote implements GitRemote {
  constructor(
    readonly conn: GitConnection,
    readonly signal?: AbortSignal,
  ) {}

  async listRefs(): Promise<RemoteRefs> {
    const out = await this.#git(['ls-remote', '--symref', this.conn.url], 'list refs of');
    const heads = new Map<string, string>();
    const tags = new Map<string, string>();
    let defaultBranch: string | undefined;
    for (const line of out.split('\n')) {
      const sym = /^ref: refs\/heads\/(\S+)\s+HEAD$/.exec(line);
      if (sym) {
        defaultBranch = sym[1];
        continue;
      }
      const [oid, ref] = line.split('\t');
      if (!ref) continue;
      if (ref.startsWith('refs/heads/')) heads.set(ref.slice(11), oid);
      else if (ref.startsWith('refs/tags/')) {
        const name = ref.slice(10);
        if (name.endsWith('^{}')) tags.set(name.slice(0, -3), oid);
        else if (!tags.has(name)) tags.set(name, oid);
      }
    }
    return { heads, tags, defaultBranch };
  }

  async clone(dir: string, o: CloneOptions): Promise<void> {
    const args = ['clone', '--quiet'];
    if (o.ref) args.push('--branch', o.ref);
    if (o.depth !== undefined) args.push('--depth', String(o.depth));
    args.push(o.singleBranch ? '--single-branch' : '--no-single-branch');
    if (o.noTags) args.push('--no-tags');
    if (o.noCheckout) args.push('--no-checkout');
    args.push(this.conn.url, dir);
    await this.#git(args, 'clone');
  }

  async push(dir: string, branch: string): Promise<void> {
    const r = await this.#exec(['push', '--porcelain', 'origin', `refs/heads/${branch}:refs/heads/${branch}`], dir);
    if (r.code !== 0) {
      const msg = scrub(`${r.stdout}\n${r.stderr}`.trim(), this.conn);
      if (/\[rejected\]|rejected|fetch first|non-fast-forward|failed to update ref|cannot lock ref/i.test(msg)) throw new PushRejected(msg, /fetch first|non-fast-forward|failed to update ref|cannot lock ref/i.test(msg));
      throw new TaskFailure(`Failed to push to ${this.conn.url}: ${msg}`, true);
    }
  }

  async #git(args: readonly string[], what: string, cwd?: string): Promise<string> {
    const r = await this.#exec(args, cwd);
    if (r.code !== 0) {
      const msg = scrub(r.stderr.trim() || r.stdout.trim(), this.conn);
      if (/permission denied|authentication failed|could not read from remote/i.test(msg)) {
        throw TaskFailure.nonRetryable(`Authentication failed for ${this.conn.url}: ${msg}`);
      }
      throw new TaskFailure(`Failed to ${what} ${this.conn.url}: ${msg}`, true);
    }
    return r.stdout;
  }

  async #exec(args: readonly string[], cwd?: string): Promise<ExecResult> {
    const keyDir = mkdtempSync(join(tmpdir(), 'windhover-ssh-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
      const ssh = ['ssh', '-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${join(tmpdir(), 'windhover-known-hosts')}`];
      ssh.push('-o', `ConnectTimeout=${Math.max(1, Math.round(this.conn.connectTimeout / 1000))}`);
      if (this.conn.privateKey) {
        const key = join(keyDir, 'id');
        writeFileSync(key, this.conn.privateKey.endsWith('\n') ? this.conn.privateKey : `${this.conn.privateKey}\n`, { mode: 0o600 });
        chmodSync(key, 0o600);
        ssh.push('-i', key, '-o', 'IdentitiesOnly=yes');
        if (this.conn.passphrase) {
          const askpass = join(keyDir, 'askpass.sh');
          writeFileSync(askpass, '#!/bin/sh\nprintf "%s" "$WINDHOVER_SSH_PASSPHRASE"\n', { mode: 0o700 });
          env.SSH_ASKPASS = askpass;
          env.SSH_ASKPASS_REQUIRE = 'force';
          env.DISPLAY = env.DISPLAY ?? ':0';
          env.WINDHOVER_SSH_PASSPHRASE = this.conn.passphrase;
        } else {
          ssh.push('-o', 'BatchMode=yes');
        }
      } else {
        ssh.push('-o', 'BatchMode=yes');
      }
      env.GIT_SSH_COMMAND = ssh.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ');
      return await run(args, env, this.signal, cwd);
    } finally {
      rmSync(keyDir, { recursive: true, force: true });
    }
  }
}
