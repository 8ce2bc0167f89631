import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitTestServer, git, startGitServer } from '../../../../test/support/git-server';
import { CliGitRemote } from './cli-git-remote';
import type { GitConnection } from './git-connection';
import { PushRejected } from './git-remote';
import { LocalRepo } from './local-repo';

let server: GitTestServer;
beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await server.stop();
});

// The CLI transport serves SSH URLs; here it talks to the loopback HTTP server
// (credentials in the URL) so that its ref parsing, clone and push run for real.
const conn = (repo: string): GitConnection => {
  const url = new URL(server.url(repo));
  url.username = server.username;
  url.password = server.password;
  return { url: url.toString(), ssh: true, connectTimeout: 10_000, readTimeout: 60_000 };
};

describe('CliGitRemote (git binary transport, used for SSH URLs)', () => {
  it('lists branches, tags and the default branch', async () => {
    server.createRepo('cli-refs');
    const main = server.commit('cli-refs', { a: '1' });
    const dev = server.commit('cli-refs', { b: '2' }, { branch: 'dev' });
    git(['tag', '-a', 'v1', '-m', 'v1', main], `${server.root}/cli-refs.git`);
    const refs = await new CliGitRemote(conn('cli-refs')).listRefs();
    expect(refs.defaultBranch).toBe('main');
    expect(Object.fromEntries(refs.heads)).toEqual({ main, dev });
    expect(refs.tags.get('v1')).toBe(main);
  });

  it('clones shallow and reports a non-fast-forward push as PushRejected', async () => {
    server.createRepo('cli-push');
    server.commit('cli-push', { a: '1' });
    const remote = new CliGitRemote(conn('cli-push'));
    const repo = await LocalRepo.temporary();
    try {
      await remote.clone(repo.dir, { ref: 'main', depth: 1, singleBranch: true, noTags: true, noCheckout: false });
      expect(git(['rev-list', '--count', 'HEAD'], repo.dir)).toBe('1');
      server.commit('cli-push', { a: '2' });
      git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--allow-empty', '-qm', 'local'], repo.dir);
      const err = await remote.push(repo.dir, 'main').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PushRejected);
      expect((err as PushRejected).nonFastForward).toBe(true);
      expect((err as Error).message).not.toContain(server.password);
    } finally {
      await repo.dispose();
    }
  });

  it('fails with a clear message where there is no git binary (Lambda)', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(new CliGitRemote(conn('cli-push')).listRefs()).rejects.toThrow(/SSH Git URLs need a git binary, which this runtime does not have/);
    } finally {
      process.env.PATH = path;
    }
  });
});
