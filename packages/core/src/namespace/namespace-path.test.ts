import { describe, expect, it } from 'vitest';
import {
  isWithinNamespacePath,
  namespacePathAncestors,
  namespacePathBaseName,
  normalizeNamespacePath,
  parentNamespacePath,
} from './namespace-path';

const problem = (raw: string): string => {
  try {
    normalizeNamespacePath(raw);
    return 'accepted';
  } catch (e) {
    expect((e as { code?: string }).code).toBe('BAD_REQUEST');
    return (e as Error).message;
  }
};

describe('normalizeNamespacePath', () => {
  it('roots a path at / and removes empty, dot and trailing segments', () => {
    expect(normalizeNamespacePath('scripts/etl.py')).toBe('/scripts/etl.py');
    expect(normalizeNamespacePath('/scripts//./etl.py/')).toBe('/scripts/etl.py');
    expect(normalizeNamespacePath('//scripts')).toBe('/scripts');
    expect(normalizeNamespacePath('')).toBe('/');
    expect(normalizeNamespacePath('/')).toBe('/');
  });

  it('keeps unicode, spaces and dots inside names', () => {
    expect(normalizeNamespacePath('dossier é/naïve 文件..sql')).toBe('/dossier é/naïve 文件..sql');
    expect(normalizeNamespacePath('.hidden/...')).toBe('/.hidden/...');
    expect(normalizeNamespacePath('100%/a%20b')).toBe('/100%/a%20b');
  });

  it.each([
    ['../etc/passwd', "'..' segments"],
    ['/a/../../b', "'..' segments"],
    ['a/..', "'..' segments"],
    ['a\\..\\b', 'backslashes'],
    ['C:\\Windows', 'backslashes'],
    ['a/%2e%2e/b', 'percent-encoded'],
    ['..%2Fetc', 'percent-encoded'],
    ['a%5cb', 'percent-encoded'],
    ['a%00.txt', 'percent-encoded'],
    ['%252e%252e/x', 'percent-encoded'],
    ['a\u0000b', 'control characters'],
    ['a\nb', 'control characters'],
    ['file:///etc/passwd', 'not a URI'],
    ['C:/Windows/win.ini', 'not a URI'],
    [`${'x'.repeat(256)}.txt`, 'longer than 255 bytes'],
    [`${'é'.repeat(128)}`, 'longer than 255 bytes'],
    [Array.from({ length: 120 }, () => 'abcdefghi').join('/'), 'longer than 1024 bytes'],
  ])('rejects %j naming the problem (%s)', (raw, expected) => {
    expect(problem(raw)).toContain(expected);
  });
});

describe('namespace path helpers', () => {
  it('derives parents, names and ancestors of a normalized path', () => {
    expect(parentNamespacePath('/a/b/c.txt')).toBe('/a/b');
    expect(parentNamespacePath('/a')).toBe('/');
    expect(namespacePathBaseName('/a/b/c.txt')).toBe('c.txt');
    expect(namespacePathAncestors('/a/b/c.txt')).toEqual(['/a', '/a/b']);
    expect(namespacePathAncestors('/a')).toEqual([]);
  });

  it('tells whether a path lies within a directory without prefix confusion', () => {
    expect(isWithinNamespacePath('/a/b', '/a')).toBe(true);
    expect(isWithinNamespacePath('/a', '/a')).toBe(true);
    expect(isWithinNamespacePath('/ab', '/a')).toBe(false);
    expect(isWithinNamespacePath('/anything', '/')).toBe(true);
  });
});
