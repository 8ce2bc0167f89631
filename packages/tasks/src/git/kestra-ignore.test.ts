import { describe, expect, it } from 'vitest';
import { KestraIgnore } from './kestra-ignore';

describe('KestraIgnore', () => {
  it('always skips .git, .gitignore, .gitkeep and .kestraignore', () => {
    const ig = new KestraIgnore();
    expect(ig.ignores('.gitkeep')).toBe(true);
    expect(ig.ignores('sub/.gitignore')).toBe(true);
    expect(ig.ignores('.kestraignore')).toBe(true);
    expect(ig.ignores('flow.yml')).toBe(false);
  });
  it('applies gitignore syntax, including negation and directories', () => {
    const ig = new KestraIgnore('*.md\ndrafts/\n!KEEP.md\n');
    expect(ig.ignores('README.md')).toBe(true);
    expect(ig.ignores('KEEP.md')).toBe(false);
    expect(ig.ignores('drafts/x.yml')).toBe(true);
    expect(ig.ignores('team/flow.yml')).toBe(false);
  });
});
