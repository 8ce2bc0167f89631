import * as fs from 'node:fs';
import { TaskFailure } from '@windhover/core';
import type { AuthCallback, HttpClient } from 'isomorphic-git';
import { git, isomorphicGitHttp } from './isomorphic-git-loader';
import { type GitConnection, scrub } from './git-connection';
import { type CloneOptions, type GitRemote, PushRejected, type RemoteRefs } from './git-remote';

interface IsoError {
  readonly code?: string;
  readonly data?: { readonly statusCode?: number; readonly reason?: string; readonly statusMessage?: string };
  readonly message?: string;
}

/**
 * Git over HTTP(S) in pure JavaScript (isomorphic-git): runs in Lambda with no
 * git binary. Credentials go through `onAuth`, never into the URL or messages.
 */
export class IsomorphicGitRemote implements GitRemote {
  readonly #http: HttpClient;
  readonly #onAuth: AuthCallback | undefined;
  /** Sent up front: saves the 401 round trip of every request. */
  readonly #headers: Record<string, string>;

  constructor(
    readonly conn: GitConnection,
    signal?: AbortSignal,
  ) {
    this.#http = {
      request: (req) => {
        if (signal?.aborted) throw new TaskFailure('Git operation aborted', false);
        // `timeout` (simple-get) is a socket inactivity timeout: Kestra's readTimeout.
        const fetchOptions = { timeout: conn.readTimeout };
        return isomorphicGitHttp().request({ ...req, signal: req.signal ?? signal, ...({ fetchOptions } as object) });
      },
    };
    this.#onAuth = conn.username && conn.password ? () => ({ username: conn.username, password: conn.password }) : undefined;
    this.#headers =
      conn.username && conn.password ? { Authorization: `Basic ${Buffer.from(`${conn.username}:${conn.password}`).toString('base64')}` } : {};
  }

  async listRefs(): Promise<RemoteRefs> {
    const refs = await this.#wrap('list refs of', () =>
      git.listServerRefs({
        http: this.#http,
        url: this.conn.url,
        onAuth: this.#onAuth,
        onAuthFailure: () => ({ cancel: true }),
        headers: this.#headers,
        symrefs: true,
        peelTags: true,
        // Protocol v1: the refs come with the one GET of info/refs (v2 needs a second request).
        protocolVersion: 1,
      }),
    );
    const heads = new Map<string, string>();
    const tags = new Map<string, string>();
    let defaultBranch: string | undefined;
    for (const r of refs) {
      if (r.ref === 'HEAD' && r.target?.startsWith('refs/heads/')) defaultBranch = r.target.slice('refs/heads/'.length);
      else if (r.ref.startsWith('refs/heads/')) heads.set(r.ref.slice('refs/heads/'.length), r.oid);
      else if (r.ref.startsWith('refs/tags/')) tags.set(r.ref.slice('refs/tags/'.length), r.peeled ?? r.oid);
    }
    return { heads, tags, defaultBranch };
  }

  async clone(dir: string, o: CloneOptions): Promise<void> {
    await this.#wrap('clone', () =>
      git.clone({
        fs,
        http: this.#http,
        dir,
        url: this.conn.url,
        ref: o.ref,
        depth: o.depth,
        singleBranch: o.singleBranch,
        noTags: o.noTags,
        noCheckout: o.noCheckout,
        headers: this.#headers,
        onAuth: this.#onAuth,
        onAuthFailure: () => ({ cancel: true }),
      }),
    );
  }

  async push(dir: string, branch: string): Promise<void> {
    let result: Awaited<ReturnType<typeof git.push>>;
    try {
      result = await git.push({
        fs,
        http: this.#http,
        dir,
        remote: 'origin',
        ref: branch,
        remoteRef: branch,
        headers: this.#headers,
        onAuth: this.#onAuth,
        onAuthFailure: () => ({ cancel: true }),
      });
    } catch (e) {
      const err = e as IsoError;
      // The remote's branch head is a commit this shallow clone never fetched: the branch moved on.
      if (err.code === 'NotFoundError') throw new PushRejected(`push to '${branch}' rejected: the remote branch moved on`, true);
      if (err.code === 'PushRejectedError') throw new PushRejected(`push to '${branch}' rejected: ${err.data?.reason ?? 'rejected'}`, true);
      if (err.code === 'GitPushError') {
        const msg = err.message ?? 'push failed';
        throw new PushRejected(scrub(msg, this.conn), /fetch first|non-fast-forward|stale info|failed to update ref|cannot lock ref|incorrect old value/i.test(msg));
      }
      throw this.#translate('push to', e);
    }
    if (!result.ok) {
      const detail = Object.values(result.refs)
        .map((r) => r.error)
        .filter(Boolean)
        .join('; ');
      throw new PushRejected(`push to '${branch}' rejected: ${detail || result.error}`, /fetch first|non-fast-forward|failed to update ref|cannot lock ref|incorrect old value/i.test(detail));
    }
  }

  async #wrap<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.#translate(what, e);
    }
  }

  #translate(what: string, e: unknown): TaskFailure {
    if (e instanceof TaskFailure) return e;
    const err = e as IsoError;
    const status = err.data?.statusCode;
    if (err.code === 'HttpError' && (status === 401 || status === 403)) {
      return TaskFailure.nonRetryable(
        `Authentication failed for ${this.conn.url} (HTTP ${status}): check the username and password or token${this.conn.password ? '' : ' (none were given)'}`,
      );
    }
    if (err.code === 'UserCanceledError') {
      return TaskFailure.nonRetryable(
        `Authentication failed for ${this.conn.url} (HTTP 401): the credentials were refused; check the username and password or token`,
      );
    }
    if (err.code === 'HttpError' && status === 404) {
      return TaskFailure.nonRetryable(`Repository ${this.conn.url} not found (HTTP 404)`);
    }
    const message = scrub(err.message ?? String(e), this.conn);
    return new TaskFailure(`Failed to ${what} ${this.conn.url}: ${message}`, true);
  }
}
