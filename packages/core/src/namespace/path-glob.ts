import { BadRequestError } from '../errors';

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/**
 * Translates a glob with java.nio's PathMatcher semantics (what Kestra uses)
 * into an anchored RegExp: `*` and `?` stay within one path segment, `**`
 * crosses segments, `[...]`/`[!...]` are classes, `{a,b}` are alternatives
 * and `\` escapes the next character.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let inGroup = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    switch (c) {
      case '\\': {
        const next = glob[i + 1];
        if (next === undefined) throw new BadRequestError(`Invalid glob ${JSON.stringify(glob)}: dangling escape`);
        re += escapeRegExp(next);
        i++;
        break;
      }
      case '*':
        if (glob[i + 1] === '*') {
          re += '.*';
          i++;
        } else {
          re += '[^/]*';
        }
        break;
      case '?':
        re += '[^/]';
        break;
      case '[': {
        const end = glob.indexOf(']', i + 2);
        if (end < 0) throw new BadRequestError(`Invalid glob ${JSON.stringify(glob)}: missing ']'`);
        let body = glob.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        body = body.replace(/[\\\]^]/g, (x) => `\\${x}`);
        re += negate ? `[^/${body}]` : `[${body}]`;
        i = end;
        break;
      }
      case '{':
        if (inGroup) throw new BadRequestError(`Invalid glob ${JSON.stringify(glob)}: nested '{'`);
        inGroup = true;
        re += '(?:';
        break;
      case '}':
        if (!inGroup) {
          re += '\\}';
        } else {
          inGroup = false;
          re += ')';
        }
        break;
      case ',':
        re += inGroup ? '|' : ',';
        break;
      default:
        re += escapeRegExp(c);
    }
  }
  if (inGroup) throw new BadRequestError(`Invalid glob ${JSON.stringify(glob)}: missing '}'`);
  return new RegExp(`^${re}$`);
}

/** A compiled include/exclude pattern: tells whether a namespace file path (rooted at `/`) matches. */
export type PathPredicate = (path: string) => boolean;

/**
 * Compiles one `namespaceFiles` include/exclude pattern with Kestra's rules:
 * `glob:` and `regex:` prefixes are explicit (tried against the path with and
 * without its leading `/`, and a regex must match the whole path); a pattern
 * starting with `/` is a glob from the namespace root; any other pattern is
 * prefixed with `**` and `/` so it matches at any depth (`file1.txt` matches `/a/b/file1.txt`).
 */
export function compileNamespaceFilePattern(pattern: string): PathPredicate {
  if (typeof pattern !== 'string' || pattern === '') throw new BadRequestError('Empty file pattern');
  const both = (re: RegExp): PathPredicate => (p) => re.test(p) || re.test(p.replace(/^\/+/, ''));
  if (pattern.startsWith('regex:')) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${pattern.slice('regex:'.length)})$`);
    } catch (e) {
      throw new BadRequestError(`Invalid regex pattern ${JSON.stringify(pattern)}: ${(e as Error).message}`);
    }
    return both(re);
  }
  if (pattern.startsWith('glob:')) return both(globToRegExp(pattern.slice('glob:'.length)));
  if (pattern.startsWith('/')) return both(globToRegExp(pattern));
  return both(globToRegExp(`**/${pattern}`));
}

/**
 * Keeps the paths matching at least one `include` pattern (all when none)
 * and none of the `exclude` patterns. Paths are rooted at `/`.
 */
export function filterNamespacePaths<T extends string | { readonly path: string }>(
  items: readonly T[],
  include?: readonly string[] | null,
  exclude?: readonly string[] | null,
): T[] {
  const inc = (include ?? []).map(compileNamespaceFilePattern);
  const exc = (exclude ?? []).map(compileNamespaceFilePattern);
  return items.filter((item) => {
    const path = typeof item === 'string' ? item : item.path;
    if (inc.length > 0 && !inc.some((m) => m(path))) return false;
    return !exc.some((m) => m(path));
  });
}
