import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Environment for every git CLI call in tests: no prompts, no user config, a fixed identity. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test Seeder',
  GIT_AUTHOR_EMAIL: 'seeder@example.com',
  GIT_COMMITTER_NAME: 'Test Seeder',
  GIT_COMMITTER_EMAIL: 'seeder@example.com',
};

/** Runs the git CLI synchronously and returns trimmed stdout. */
export function git(args: readonly string[], cwd?: string): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).trim();
}

/** Runs the git CLI asynchronously (for many concurrent calls). */
export async function gitAsync(args: readonly string[], cwd?: string): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return stdout.trim();
}

export interface GitTestServer {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  /** Folder holding the bare repositories. */
  readonly root: string;
  /** HTTP URL of a repository (without credentials). */
  url(repo: string): string;
  /** Creates an empty bare repository whose HEAD points at `defaultBranch` (main). */
  createRepo(repo: string, defaultBranch?: string): string;
  /**
   * Commits `files` (path → content; `null` deletes) on `branch` of `repo`, directly in the
   * bare repository through a scratch clone, and returns the new commit id.
   */
  commit(repo: string, files: Readonly<Record<string, string | Uint8Array | null>>, options?: { branch?: string; message?: string }): string;
  /** A fresh CLI clone of `branch` for assertions; removed by stop(). */
  cloneForCheck(repo: string, branch?: string): string;
  /** Number of requests per repository path served so far (for "one ref lookup" checks). */
  readonly requests: { method: string; path: string }[];
  stop(): Promise<void>;
}

/**
 * A real Git smart-HTTP server on loopback: node:http in front of the installed
 * `git http-backend` CGI, with HTTP Basic authentication. Push is enabled.
 */
export async function startGitServer(options: { username?: string; password?: string } = {}): Promise<GitTestServer> {
  const username = options.username ?? 'git-user';
  const password = options.password ?? 's3cr3t-token';
  const base = mkdtempSync(join(tmpdir(), 'windhover-git-server-'));
  const root = join(base, 'repos');
  const scratch = join(base, 'scratch');
  mkdirSync(root);
  mkdirSync(scratch);
  const execPath = git(['--exec-path']);
  const backend = join(execPath, 'git-http-backend');
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const requests: { method: string; path: string }[] = [];
  let scratchCounter = 0;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search });
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="windhover-test"', 'Content-Type': 'text/plain' });
      res.end('authentication required');
      req.resume();
      return;
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      PATH_INFO: decodeURIComponent(url.pathname),
      REQUEST_METHOD: req.method ?? 'GET',
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: username,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = String(req.headers['content-length']);
    const child = spawn(backend, [], { env });
    req.pipe(child.stdin);
    let headerDone = false;
    let buffered = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      if (headerDone) {
        res.write(chunk);
        return;
      }
      buffered = Buffer.concat([buffered, chunk]);
      let end = buffered.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (end < 0) {
        end = buffered.indexOf('\n\n');
        sepLen = 2;
      }
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const rest = buffered.subarray(end + sepLen);
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      headerDone = true;
      if (rest.length > 0) res.write(rest);
    });
    child.stdout.on('end', () => {
      if (!headerDone) res.writeHead(502);
      res.end();
    });
    child.on('error', () => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  const barePath = (repo: string): string => join(root, repo.endsWith('.git') ? repo : `${repo}.git`);

  return {
    baseUrl,
    username,
    password,
    root,
    requests,
    url: (repo) => `${baseUrl}/${repo.endsWith('.git') ? repo : `${repo}.git`}`,
    createRepo(repo, defaultBranch = 'main') {
      const path = barePath(repo);
      git(['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`, path]);
      git(['config', 'http.receivepack', 'true'], path);
      return path;
    },
    commit(repo, files, opts = {}) {
      const branch = opts.branch ?? 'main';
      const work = join(scratch, `w${scratchCounter++}`);
      const bare = barePath(repo);
      const exists = git(['ls-remote', '--heads', bare, branch]) !== '';
      if (exists) {
        git(['clone', '--quiet', '--branch', branch, '--single-branch', bare, work]);
      } else {
        git(['init', '--quiet', `--initial-branch=${branch}`, work]);
        git(['remote', 'add', 'origin', bare], work);
      }
      for (const [path, content] of Object.entries(files)) {
        const full = join(work, path);
        if (content === null) {
          rmSync(full, { force: true, recursive: true });
          continue;
        }
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
      git(['add', '-A'], work);
      git(['commit', '--quiet', '--allow-empty', '-m', opts.message ?? 'seed'], work);
      git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], work);
      const sha = git(['rev-parse', 'HEAD'], work);
      rmSync(work, { recursive: true, force: true });
      return sha;
    },
    cloneForCheck(repo, branch = 'main') {
      const work = join(scratch, `c${scratchCounter++}`);
      git(['clone', '--quiet', '--branch', branch, barePath(repo), work]);
      return work;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(base, { recursive: true, force: true });
    },
  };
}
