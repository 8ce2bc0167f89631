import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './unified-diff';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', { from: 'git', to: 'windhover' })).toBe('');
  });
  it('shows a changed line with context and hunk header', () => {
    const before = 'id: a\nnamespace: n\ntasks:\n  - id: t\n    message: hi\n';
    const after = 'id: a\nnamespace: n\ntasks:\n  - id: t\n    message: edited\n';
    expect(unifiedDiff(before, after, { from: 'git', to: 'windhover' })).toBe(
      '--- git\n+++ windhover\n@@ -2,4 +2,4 @@\n namespace: n\n tasks:\n   - id: t\n-    message: hi\n+    message: edited\n',
    );
  });
  it('splits distant changes into separate hunks', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const after = before.replace('l1\n', 'L1\n').replace('l18', 'L18');
    const diff = unifiedDiff(before, after, { from: 'a', to: 'b' });
    expect(diff.match(/^@@/gm)).toHaveLength(2);
  });
});
