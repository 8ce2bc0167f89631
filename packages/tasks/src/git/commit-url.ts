/**
 * The browsable http(s) form of a repository URL, as plugin-git's `getHttpUrl`:
 * SSH `git@host:org/repo.git` and `ssh://git@host/org/repo` become
 * `https://host/org/repo`, embedded credentials are dropped and `.git` removed.
 */
export function httpUrlOf(url: string): string {
  let u = url.trim();
  const scp = /^(?:[\w.-]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(u);
  if (scp && !/^[a-z]+:\/\//i.test(u)) {
    u = `https://${scp[1]}/${scp[2]}`;
  } else if (/^ssh:\/\//i.test(u) || /^git:\/\//i.test(u)) {
    const parsed = new URL(u);
    u = `https://${parsed.hostname}${parsed.pathname}`;
  } else {
    try {
      const parsed = new URL(u);
      parsed.username = '';
      parsed.password = '';
      u = parsed.toString();
    } catch {
      // not a URL we understand: keep it as written
    }
  }
  u = u.replace(/\/+$/, '');
  return u.endsWith('.git') ? u.slice(0, -4) : u;
}

/**
 * The URL of a commit in the provider's web UI: GitHub and GitLab use `/commit/<sha>`,
 * Bitbucket `/commits/<sha>`, Azure DevOps `/commit/<sha>?refName=refs%2Fheads%2F<branch>`.
 */
export function buildCommitUrl(url: string, commitId: string, branch: string): string {
  const base = httpUrlOf(url);
  const host = (() => {
    try {
      return new URL(base).hostname.toLowerCase();
    } catch {
      return '';
    }
  })();
  if (host.includes('bitbucket')) return `${base}/commits/${commitId}`;
  if (host.includes('dev.azure.com') || host.includes('visualstudio.com')) {
    return `${base}/commit/${commitId}?refName=${encodeURIComponent(`refs/heads/${branch}`)}`;
  }
  return `${base}/commit/${commitId}`;
}
