import { describe, expect, it } from 'vitest';
import { globToRegExp, nameMatcher, pathMatcher } from './globs';

describe('globs', () => {
  it('keeps * inside one segment and lets ** cross segments', () => {
    expect(globToRegExp('a/*.py').test('a/b.py')).toBe(true);
    expect(globToRegExp('a/*.py').test('a/b/c.py')).toBe(false);
    expect(globToRegExp('a/**/*.py').test('a/b/c.py')).toBe(true);
    expect(globToRegExp('a/**/*.py').test('a/c.py')).toBe(true);
  });
  it('supports alternatives, classes and ?', () => {
    expect(globToRegExp('{hello,bye}_*').test('bye_world')).toBe(true);
    expect(globToRegExp('file[0-9]?').test('file1x')).toBe(true);
    expect(globToRegExp('file[0-9]?').test('filex1')).toBe(false);
  });
  it('matches flow ids by name, everything when no glob is given', () => {
    expect(nameMatcher(['hello*'])('hello_world')).toBe(true);
    expect(nameMatcher(['hello*'])('other')).toBe(false);
    expect(nameMatcher(undefined)('anything')).toBe(true);
  });
  it('matches relative file patterns anywhere and absolute ones from the root', () => {
    expect(pathMatcher(['*.sql'])('/queries/q.sql')).toBe(true);
    expect(pathMatcher(['*'])('/a/b/c.txt')).toBe(true);
    expect(pathMatcher(['/queries/*'])('/queries/q.sql')).toBe(true);
    expect(pathMatcher(['/queries/*'])('/other/queries/q.sql')).toBe(false);
  });
});
