import { describe, expect, it } from 'vitest';
import { isBinary, lineDiffStats } from './line-diff';

describe('lineDiffStats', () => {
  it('counts a new file as all additions', () => {
    expect(lineDiffStats('', 'a\nb\nc\n')).toEqual({ additions: 3, deletions: 0 });
  });
  it('counts a changed line as one addition and one deletion', () => {
    expect(lineDiffStats('a\nb\nc\n', 'a\nB\nc\n')).toEqual({ additions: 1, deletions: 1 });
  });
  it('counts interleaved edits like git diff --numstat', () => {
    expect(lineDiffStats('a\nb\nc\nd\ne\n', 'a\nc\nx\ne\nf\n')).toEqual({ additions: 2, deletions: 2 });
  });
  it('counts a deleted file as all deletions', () => {
    expect(lineDiffStats('a\nb\n', '')).toEqual({ additions: 0, deletions: 2 });
  });
});

describe('isBinary', () => {
  it('detects NUL bytes', () => {
    expect(isBinary(new Uint8Array([1, 0, 2]))).toBe(true);
    expect(isBinary(new TextEncoder().encode('text'))).toBe(false);
  });
});
