import { describe, expect, it } from 'vitest';
import { buildCommitUrl, httpUrlOf } from './commit-url';

describe('commit URLs', () => {
  it('uses /commit/<sha> for GitHub and strips credentials and .git', () => {
    expect(buildCommitUrl('https://user:tok@github.com/org/repo.git', 'abc', 'main')).toBe('https://github.com/org/repo/commit/abc');
  });
  it('turns SSH scp-style URLs into https', () => {
    expect(httpUrlOf('git@gitlab.com:group/sub/repo.git')).toBe('https://gitlab.com/group/sub/repo');
    expect(buildCommitUrl('git@gitlab.com:group/repo.git', 'abc', 'main')).toBe('https://gitlab.com/group/repo/commit/abc');
  });
  it('turns ssh:// URLs into https', () => {
    expect(httpUrlOf('ssh://git@github.com/org/repo.git')).toBe('https://github.com/org/repo');
  });
  it('uses /commits/<sha> for Bitbucket', () => {
    expect(buildCommitUrl('https://bitbucket.org/team/repo.git', 'abc', 'main')).toBe('https://bitbucket.org/team/repo/commits/abc');
  });
  it('adds the refName of the branch for Azure DevOps', () => {
    expect(buildCommitUrl('https://dev.azure.com/org/proj/_git/repo', 'abc', 'feature/x')).toBe(
      'https://dev.azure.com/org/proj/_git/repo/commit/abc?refName=refs%2Fheads%2Ffeature%2Fx',
    );
  });
});
