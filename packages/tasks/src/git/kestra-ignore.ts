import ignore, { type Ignore } from 'ignore';

/** Names every Git task skips, as plugin-git's PATH_TO_IGNORE. */
const ALWAYS_SKIPPED = new Set(['.git', '.gitignore', '.gitkeep', '.kestraignore']);

/**
 * `.kestraignore` rules (gitignore syntax) of a sync or push root. Paths are
 * relative to that root, with `/` separators and no leading slash.
 */
export class KestraIgnore {
  readonly #rules: Ignore | undefined;

  constructor(content?: string) {
    this.#rules = content ? ignore().add(content) : undefined;
  }

  /** True when the file must be skipped: always-skipped names, or matched by the rules. */
  ignores(relativePath: string): boolean {
    const segments = relativePath.split('/');
    if (segments.some((s) => ALWAYS_SKIPPED.has(s))) return true;
    return this.#rules !== undefined && relativePath !== '' && this.#rules.ignores(relativePath);
  }
}
