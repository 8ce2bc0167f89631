import { describe, expect, it } from 'vitest';
import { lineDiff } from './line-diff';

describe('lineDiff', () => {
  it('is empty for equal texts, whatever the line endings', () => {
    expect(lineDiff('a\nb\n', 'a\r\nb')).toEqual([]);
  });

  it('shows a changed line with one line of context and its line numbers', () => {
    expect(lineDiff('id: x\nnamespace: n\ntasks: []\nlast: 1\n', 'id: x\nnamespace: n\ntasks: [a]\nlast: 1\n')).toEqual(['@@ -2 +2 @@', ' namespace: n', '-tasks: []', '+tasks: [a]', ' last: 1']);
  });

  it('keeps distant changes in separate hunks and shows added and removed lines', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7'].join('\n');
    const after = ['0', '1', '2', '3', '4', '5', '7'].join('\n');
    expect(lineDiff(before, after)).toEqual(['@@ -1 +1 @@', '+0', ' 1', '@@ -5 +6 @@', ' 5', '-6', ' 7']);
  });
});
