/**
 * Glob matching as Java's PathMatcher does it for Kestra: `*` stays inside a path
 * segment, `**` crosses segments, `?` is one character, `[a-z]` a class and
 * `{a,b}` alternatives. `glob:` and `regex:` prefixes are honoured.
 */
export function globToRegExp(pattern: string): RegExp {
  if (pattern.startsWith('regex:')) return new RegExp(`^(?:${pattern.slice(6)})$`);
  const glob = pattern.startsWith('glob:') ? pattern.slice(5) : pattern;
  let re = '';
  let inGroup = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
      } else {
        let cls = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        re += `[${cls}]`;
        i = end;
      }
    } else if (c === '{') {
      inGroup++;
      re += '(?:';
    } else if (c === '}' && inGroup > 0) {
      inGroup--;
      re += ')';
    } else if (c === ',' && inGroup > 0) {
      re += '|';
    } else if (c === '\\' && i + 1 < glob.length) {
      re += escapeRegExp(glob[++i]);
    } else {
      re += escapeRegExp(c);
    }
  }
  return new RegExp(`^${re}$`);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A predicate over plain names (flow ids): true when any glob matches. No globs = everything. */
export function nameMatcher(globs: readonly string[] | undefined): (name: string) => boolean {
  if (!globs || globs.length === 0) return () => true;
  const res = globs.map(globToRegExp);
  return (name) => res.some((r) => r.test(name));
}

/**
 * A predicate over namespace-file paths (`/a/b.py`), as Kestra's PathMatcherPredicate:
 * a pattern without a leading `/` is matched anywhere (`**` + `/` is prepended), one
 * with a leading `/` from the namespace root.
 */
export function pathMatcher(globs: readonly string[] | undefined): (path: string) => boolean {
  if (!globs || globs.length === 0) return () => true;
  const res = globs.map((g) => {
    if (g.startsWith('regex:')) return globToRegExp(g);
    const body = g.startsWith('glob:') ? g.slice(5) : g;
    return globToRegExp(body.startsWith('/') || body.startsWith('**') ? body : `**/${body}`);
  });
  return (path) => {
    const p = path.startsWith('/') ? path : `/${path}`;
    return res.some((r) => r.test(p));
  };
}
