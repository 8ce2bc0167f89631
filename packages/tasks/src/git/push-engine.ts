import * as fs from 'node:fs';
import { type RunContext, TaskFailure } from '@windhover/core';
import { git } from './isomorphic-git-loader';
import { buildCommitUrl } from './commit-url';
import type { GitConnection } from './git-connection';
import { type GitRemote, PushRejected } from './git-remote';
import { isBinary, lineDiffStats } from './line-diff';
import { LocalRepo, type RepoFile, blobOid } from './local-repo';
import { KestraIgnore } from './kestra-ignore';
import { TreeEditor } from './tree-editor';
import { joinRepoPath } from './flow-source';

/** One row of a push diff, as plugin-git's ION output: `{file, additions: "+N", deletions: "-N", changes: "N"}`. */
export interface PushDiffRow {
  readonly file: string;
  readonly additions: string;
  readonly deletions: string;
  readonly changes: string;
}

/** What a push task wants the repository to contain under its directory. */
export interface PushContent {
  /** Repo path → content. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /**
   * Called for every existing file under `gitDirectory` that is not written;
   * returns whether it may be removed (globs, ownership). Absent = no deletes.
   */
  readonly mayDelete?: (repoPath: string, relative: string) => boolean;
  /** Go on (to prune) when there is nothing to write; Push tasks stop instead, as Kestra does. */
  readonly pushWhenEmpty?: boolean;
}

export interface PushRequest {
  readonly ctx: RunContext;
  readonly conn: GitConnection;
  readonly remote: GitRemote;
  readonly branch: string;
  /** Repo-relative folder the task owns ('' = root). */
  readonly gitDirectory: string;
  readonly dryRun: boolean;
  readonly commitMessage: string;
  readonly author: { readonly name: string; readonly email: string };
  /** Builds the wanted content, given the files present under `gitDirectory` (relative path → content reader). */
  readonly content: (existing: ExistingFiles) => Promise<PushContent>;
  /** Bounded retries on non-fast-forward rejections (default 30). */
  readonly maxAttempts?: number;
}

export interface ExistingFiles {
  /** Relative paths (to gitDirectory) of the files present, `.kestraignore`d ones excluded. */
  readonly paths: readonly string[];
  read(relative: string): Promise<Uint8Array | undefined>;
}

export interface PushOutcome {
  readonly commitId: string | null;
  readonly commitURL: string | null;
  readonly diff: readonly PushDiffRow[];
  readonly attempts: number;
  /** False when there was nothing to push or nothing changed. */
  readonly pushed: boolean;
}

/**
 * The shared push algorithm of PushFlows, PushNamespaceFiles, NamespaceSync and
 * TenantSync: shallow single-branch clone without checkout, edit the tree in the
 * object store, commit only when something changed, push. A non-fast-forward
 * rejection (someone pushed in between) re-reads the branch and regenerates the
 * commit on top of it, so concurrent pushes to one branch all land.
 */
export async function pushToGit(req: PushRequest): Promise<PushOutcome> {
  const max = req.maxAttempts ?? 30;
  for (let attempt = 1; ; attempt++) {
    const repo = await LocalRepo.temporary();
    try {
      const outcome = await pushOnce(req, repo, attempt);
      return outcome;
    } catch (e) {
      if (!(e instanceof PushRejected) || !e.nonFastForward || attempt >= max) {
        if (e instanceof PushRejected) {
          throw new TaskFailure(`Push to branch '${req.branch}' of ${req.conn.url} was rejected after ${attempt} attempt(s): ${e.message}`, true);
        }
        throw e;
      }
      req.ctx.logger.info(`Branch '${req.branch}' moved during the push (attempt ${attempt}): rebasing the generated commit and retrying`);
      const backoff = Math.min(1000, 25 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, backoff));
    } finally {
      await repo.dispose();
    }
  }
}

async function pushOnce(req: PushRequest, repo: LocalRepo, attempt: number): Promise<PushOutcome> {
  const refs = await req.remote.listRefs();
  const exists = refs.heads.has(req.branch);
  let parent: string | undefined;
  if (exists) {
    await req.remote.clone(repo.dir, { ref: req.branch, depth: 1, singleBranch: true, noTags: true, noCheckout: true });
    // The branch may have moved since the ref lookup: the clone holds the newer head.
    parent = (await repo.resolve('HEAD')) ?? refs.heads.get(req.branch);
  } else if (refs.heads.size > 0) {
    // Kestra's behaviour: a missing branch starts from the default branch and is created by the push.
    const base = refs.defaultBranch && refs.heads.has(refs.defaultBranch) ? refs.defaultBranch : [...refs.heads.keys()][0];
    await req.remote.clone(repo.dir, { ref: base, depth: 1, singleBranch: true, noTags: true, noCheckout: true });
    parent = (await repo.resolve('HEAD')) ?? refs.heads.get(base);
    if (attempt === 1) req.ctx.logger.info(`Branch '${req.branch}' does not exist: creating it from '${base}'`);
  } else {
    await git.init({ fs, dir: repo.dir, defaultBranch: req.branch });
    await git.addRemote({ fs, dir: repo.dir, remote: 'origin', url: req.conn.url });
    if (attempt === 1) req.ctx.logger.info(`Repository is empty: creating branch '${req.branch}'`);
  }

  const dir = req.gitDirectory;
  const ignoreContent = parent ? await repo.readFile(parent, joinRepoPath(dir, '.kestraignore')) : undefined;
  const ignore = new KestraIgnore(ignoreContent ? new TextDecoder().decode(ignoreContent) : undefined);
  const present = parent ? await repo.listFiles(parent, dir, true) : [];
  const presentByRel = new Map(present.map((f) => [f.relative, f]));
  const existing: ExistingFiles = {
    paths: present.filter((f) => !ignore.ignores(f.relative)).map((f) => f.relative),
    read: async (rel) => {
      const f = presentByRel.get(rel);
      return f ? repo.readBlob(f.oid) : undefined;
    },
  };
  const wanted = await req.content(existing);
  if (wanted.files.size === 0 && !wanted.pushWhenEmpty) {
    req.ctx.logger.info('No content to push - skipping Git operations');
    return { commitId: null, commitURL: null, diff: [], attempts: attempt, pushed: false };
  }

  const editor = new TreeEditor(repo, parent ? await repo.treeOf(parent) : undefined);
  const diff: PushDiffRow[] = [];
  const decoder = new TextDecoder();
  const stats = (before: Uint8Array | undefined, after: Uint8Array | undefined, file: string): void => {
    const binary = (before && isBinary(before)) || (after && isBinary(after));
    const s = binary
      ? { additions: 0, deletions: 0 }
      : lineDiffStats(before ? decoder.decode(before) : '', after ? decoder.decode(after) : '');
    diff.push({ file, additions: `+${s.additions}`, deletions: `-${s.deletions}`, changes: String(s.additions + s.deletions) });
  };

  const pathPrefix = dir ? `${dir}/` : '';
  // Compare by blob id: unchanged files are never read back or rewritten.
  const changed: { path: string; content: Uint8Array; current?: RepoFile }[] = [];
  for (const [path, content] of wanted.files) {
    const rel = path.startsWith(pathPrefix) ? path.slice(pathPrefix.length) : path;
    if (rel !== '.kestraignore' && ignore.ignores(rel)) continue;
    const current = presentByRel.get(rel);
    if (current && current.oid === blobOid(content)) continue;
    changed.push({ path, content, current });
  }
  const before = await repo.readBlobs(changed.map((c) => c.current?.oid).filter((o): o is string => o !== undefined));
  let b = 0;
  const oids = await Promise.all(changed.map((c) => repo.writeBlob(c.content)));
  for (const [i, c] of changed.entries()) {
    await editor.setFile(c.path, oids[i]);
    stats(c.current ? before[b++] : undefined, c.content, c.path);
  }
  if (wanted.mayDelete) {
    for (const f of present) {
      if (ignore.ignores(f.relative) || wanted.files.has(f.path)) continue;
      if (!wanted.mayDelete(f.path, f.relative)) continue;
      await editor.remove(f.path);
      stats(await repo.readBlob(f.oid), undefined, f.path);
    }
  }
  diff.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));

  if (diff.length === 0) {
    req.ctx.logger.info('No changes to commit. Skipping push.');
    return { commitId: null, commitURL: null, diff, attempts: attempt, pushed: false };
  }
  if (req.dryRun) {
    req.ctx.logger.info(`Dry run: ${diff.length} file(s) would change on branch '${req.branch}'`);
    return { commitId: null, commitURL: null, diff, attempts: attempt, pushed: false };
  }

  const tree = await editor.write();
  const when = req.ctx.now();
  const identity = {
    name: req.author.name,
    email: req.author.email,
    timestamp: Math.floor(when.getTime() / 1000),
    timezoneOffset: 0,
  };
  const commitId = await git.writeCommit({
    fs,
    dir: repo.dir,
    commit: { message: req.commitMessage.endsWith('\n') ? req.commitMessage : `${req.commitMessage}\n`, tree, parent: parent ? [parent] : [], author: identity, committer: identity },
  });
  await git.writeRef({ fs, dir: repo.dir, ref: `refs/heads/${req.branch}`, value: commitId, force: true });
  await req.remote.push(repo.dir, req.branch);
  req.ctx.logger.info(`Pushed commit ${commitId} to branch '${req.branch}' (${diff.length} file(s) changed)`);
  return { commitId, commitURL: buildCommitUrl(req.conn.url, commitId, req.branch), diff, attempts: attempt, pushed: true };
}
