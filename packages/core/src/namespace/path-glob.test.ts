import { describe, expect, it } from 'vitest';
import { filterNamespacePaths, globToRegExp } from './path-glob';

const files = ['/file1.txt', '/file2.txt', '/file3.json', '/file4.yml', '/src/a.py', '/src/lib/b.py', '/config/settings.json', '/docs/src/readme.md'];

describe('globToRegExp', () => {
  it('follows java.nio glob semantics', () => {
    expect(globToRegExp('*.py').test('a.py')).toBe(true);
    expect(globToRegExp('*.py').test('src/a.py')).toBe(false);
    expect(globToRegExp('**.py').test('src/a.py')).toBe(true);
    expect(globToRegExp('file?.txt').test('file1.txt')).toBe(true);
    expect(globToRegExp('file[12].txt').test('file3.txt')).toBe(false);
    expect(globToRegExp('file[!12].txt').test('file3.txt')).toBe(true);
    expect(globToRegExp('*.{yml,json}').test('file4.yml')).toBe(true);
    expect(globToRegExp('a\\*b').test('a*b')).toBe(true);
    expect(globToRegExp('a\\*b').test('axb')).toBe(false);
  });

  it('rejects malformed globs', () => {
    expect(() => globToRegExp('[abc')).toThrow(/missing/);
    expect(() => globToRegExp('{a,b')).toThrow(/missing/);
  });
});

describe('filterNamespacePaths', () => {
  it('includes by name at any depth when the pattern has no leading slash', () => {
    expect(filterNamespacePaths(files, ['file1.txt', 'file3.json'])).toEqual(['/file1.txt', '/file3.json']);
    expect(filterNamespacePaths(files, ['src/**'])).toEqual(['/src/a.py', '/src/lib/b.py', '/docs/src/readme.md']);
    expect(filterNamespacePaths(files, ['*.py'])).toEqual(['/src/a.py', '/src/lib/b.py']);
  });

  it('matches from the namespace root with a leading slash', () => {
    expect(filterNamespacePaths(files, ['/src/**'])).toEqual(['/src/a.py', '/src/lib/b.py']);
    expect(filterNamespacePaths(files, ['/config/settings.json'])).toEqual(['/config/settings.json']);
    expect(filterNamespacePaths(files, ['/a.py'])).toEqual([]);
  });

  it('accepts explicit glob: and regex: patterns', () => {
    expect(filterNamespacePaths(files, ['glob:/src/**/*.py'])).toEqual(['/src/lib/b.py']);
    expect(filterNamespacePaths(files, ['glob:config/*.json'])).toEqual(['/config/settings.json']);
    expect(filterNamespacePaths(files, ['regex:^src/.*\\.py$'])).toEqual(['/src/a.py', '/src/lib/b.py']);
    expect(filterNamespacePaths(files, ['regex:.*file\\d\\.json'])).toEqual(['/file3.json']);
  });

  it('excludes after including, and includes everything without include patterns', () => {
    expect(filterNamespacePaths(files, undefined, ['file1.txt', 'file3.json', '/src/**', '/config/**', '/docs/**'])).toEqual([
      '/file2.txt',
      '/file4.yml',
    ]);
    expect(filterNamespacePaths(files, ['*.py'], ['/src/lib/**'])).toEqual(['/src/a.py']);
    expect(filterNamespacePaths([{ path: '/x.sql' }, { path: '/y.py' }], ['*.sql'])).toEqual([{ path: '/x.sql' }]);
  });
});
