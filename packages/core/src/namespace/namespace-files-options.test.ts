import { describe, expect, it } from 'vitest';
import { parseNamespaceFilesOptions, planNamespaceFiles, resolveNamespaceFileConflict } from './namespace-files-options';
import { namespaceFileStorageUri, resolveNamespaceFileRef } from './nsfile-uri';

describe('parseNamespaceFilesOptions', () => {
  it('applies Kestra defaults when enabled', () => {
    expect(parseNamespaceFilesOptions({ enabled: true }, 'company.team')).toEqual({
      enabled: true,
      include: undefined,
      exclude: undefined,
      namespaces: ['company.team'],
      ifExists: 'OVERWRITE',
      folderPerNamespace: false,
    });
  });

  it('returns undefined when absent or disabled', () => {
    expect(parseNamespaceFilesOptions(undefined, 'ns')).toBeUndefined();
    expect(parseNamespaceFilesOptions({ enabled: false, include: ['a'] }, 'ns')).toBeUndefined();
    expect(parseNamespaceFilesOptions({ include: ['a'] }, 'ns')).toMatchObject({ enabled: true, include: ['a'] });
  });

  it('rejects an unknown ifExists, a bad namespace or a non-list include', () => {
    expect(() => parseNamespaceFilesOptions({ enabled: true, ifExists: 'MERGE' }, 'ns')).toThrow(/ifExists/);
    expect(() => parseNamespaceFilesOptions({ enabled: true, namespaces: ['a..b'] }, 'ns')).toThrow(/namespace/);
    expect(() => parseNamespaceFilesOptions({ enabled: true, include: [1] }, 'ns')).toThrow(/include/);
  });
});

describe('planNamespaceFiles', () => {
  const byNs = [
    { namespace: 'company', paths: ['/test.py', '/common/util.py', '/readme.md'] },
    { namespace: 'dev.test', paths: ['/test.py', '/only-dev.py'] },
  ];

  it('lets the last namespace win on the same path and filters with include/exclude', () => {
    const plan = planNamespaceFiles(byNs, { include: ['*.py'], exclude: ['/common/**'], folderPerNamespace: false });
    expect(plan).toEqual([
      { namespace: 'dev.test', path: '/test.py', target: 'test.py' },
      { namespace: 'dev.test', path: '/only-dev.py', target: 'only-dev.py' },
    ]);
  });

  it('mounts each namespace in its own folder with folderPerNamespace', () => {
    const plan = planNamespaceFiles(byNs, { include: ['/test.py'], folderPerNamespace: true });
    expect(plan.map((p) => p.target)).toEqual(['company/test.py', 'dev.test/test.py']);
  });

  it('maps ifExists to write, fail or keep', () => {
    expect(resolveNamespaceFileConflict('OVERWRITE')).toEqual({ write: true, fail: false, log: 'debug' });
    expect(resolveNamespaceFileConflict('FAIL').fail).toBe(true);
    expect(resolveNamespaceFileConflict('WARN')).toEqual({ write: false, fail: false, log: 'warn' });
    expect(resolveNamespaceFileConflict('IGNORE')).toEqual({ write: false, fail: false });
  });
});

describe('resolveNamespaceFileRef', () => {
  it('resolves nsfile URIs and plain paths', () => {
    expect(resolveNamespaceFileRef('nsfile:///scripts/hello.py', 'company.team')).toEqual({ namespace: 'company.team', path: '/scripts/hello.py' });
    expect(resolveNamespaceFileRef('nsfile://company/scripts/hello.py', 'company.team')).toEqual({ namespace: 'company', path: '/scripts/hello.py' });
    expect(resolveNamespaceFileRef('queries/q.sql', 'ns')).toEqual({ namespace: 'ns', path: '/queries/q.sql' });
    expect(namespaceFileStorageUri('company.team', 'a/b.txt')).toBe('kestra:///company/team/_files/a/b.txt');
  });

  it('never lets a reference escape its namespace', () => {
    expect(() => resolveNamespaceFileRef('nsfile:///../other/secret.txt', 'ns')).toThrow(/'\.\.'/);
    expect(() => resolveNamespaceFileRef('nsfile://a..b/x', 'ns')).toThrow(/namespace/);
    expect(() => resolveNamespaceFileRef('nsfile://ns/%2e%2e/x', 'ns')).toThrow(/percent-encoded/);
  });
});
