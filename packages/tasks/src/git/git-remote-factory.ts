import { CliGitRemote } from './cli-git-remote';
import type { GitConnection } from './git-connection';
import type { GitRemote } from './git-remote';
import { IsomorphicGitRemote } from './isomorphic-git-remote';

/** HTTP(S) in pure JavaScript everywhere; SSH through the git binary where one exists. */
export function createGitRemote(conn: GitConnection, signal?: AbortSignal): GitRemote {
  return conn.ssh ? new CliGitRemote(conn, signal) : new IsomorphicGitRemote(conn, signal);
}
