import vm from 'node:vm';
import { EvalFailure } from './signals';

/**
 * Runs user regular expressions with a time bound (Kestra: 10 s, `kestra.regex.timeout`), so a
 * catastrophic-backtracking pattern fails the render instead of hanging it. The regex and the
 * text are data handed to a fixed script; no user code is evaluated.
 */
const context = vm.createContext({ re: null, s: '', r: '', out: null });
const scripts = {
  exec: new vm.Script('out = re.exec(s)'),
  test: new vm.Script('out = re.test(s)'),
  replace: new vm.Script('out = s.replace(re, r)'),
  split: new vm.Script('out = s.split(re)'),
  all: new vm.Script('out = Array.from(s.matchAll(re))'),
};

export const DEFAULT_REGEX_TIMEOUT_MS = 10_000;

function run(kind: keyof typeof scripts, re: RegExp, s: string, r: string, timeoutMs: number): unknown {
  const c = context as { re: RegExp | null; s: string; r: string; out: unknown };
  c.re = re;
  c.s = s;
  c.r = r;
  try {
    scripts[kind].runInContext(context, { timeout: timeoutMs });
    return c.out;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new EvalFailure(`Regular expression '${re.source}' timed out after ${timeoutMs} ms`);
    }
    throw e;
  } finally {
    c.re = null;
    c.s = '';
    c.out = null;
  }
}

const compiled = new Map<string, RegExp>();

/** Compiles a Java regex into a JS RegExp: leading inline flags `(?i)`, `(?s)`, `(?m)` become flags. */
export function javaRegex(source: string, global: boolean): RegExp {
  const key = `${global ? 'g' : '-'}${source}`;
  const hit = compiled.get(key);
  if (hit) {
    hit.lastIndex = 0;
    return hit;
  }
  let src = source;
  let flags = global ? 'g' : '';
  const m = /^\(\?([imsux]+)\)/.exec(src);
  if (m) {
    src = src.slice(m[0].length);
    for (const f of m[1] as string) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  src = src.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  let re: RegExp;
  try {
    re = new RegExp(src, flags);
  } catch (e) {
    throw new EvalFailure(`Invalid regular expression '${source}': ${(e as Error).message}`);
  }
  if (compiled.size > 500) compiled.clear();
  compiled.set(key, re);
  return re;
}

export function regexExec(re: RegExp, s: string, timeoutMs: number): RegExpExecArray | null {
  return run('exec', re, s, '', timeoutMs) as RegExpExecArray | null;
}
export function regexTest(re: RegExp, s: string, timeoutMs: number): boolean {
  return run('test', re, s, '', timeoutMs) as boolean;
}
export function regexReplace(re: RegExp, s: string, replacement: string, timeoutMs: number): string {
  return run('replace', re, s, replacement, timeoutMs) as string;
}
export function regexMatchAll(re: RegExp, s: string, timeoutMs: number): RegExpExecArray[] {
  return run('all', re, s, '', timeoutMs) as RegExpExecArray[];
}

/** Converts a Java replacement string (`$1`, `${name}`, `\$`) to JavaScript's syntax. */
export function javaReplacement(r: string): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const c = r[i] as string;
    if (c === '\\' && i + 1 < r.length) {
      const n = r[++i] as string;
      out += n === '$' ? '$$' : n;
    } else if (c === '$' && r[i + 1] === '{') {
      const end = r.indexOf('}', i);
      if (end < 0) throw new EvalFailure(`Named capturing group is missing trailing '}' in '${r}'`);
      out += `$<${r.slice(i + 2, end)}>`;
      i = end;
    } else if (c === '$' && !/\d/.test(r[i + 1] ?? '')) {
      throw new EvalFailure(`Illegal group reference in replacement '${r}'`);
    } else out += c;
  }
  return out;
}

/** Java's String.split(regex, limit), following Pattern.split step by step. */
export function javaSplit(s: string, regex: string, limit: number, timeoutMs: number): string[] {
  const re = javaRegex(regex, true);
  const matches = regexMatchAll(re, s, timeoutMs);
  const limited = limit > 0;
  const list: string[] = [];
  let index = 0;
  let matched = false;
  for (const m of matches) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    if (!limited || list.length < limit - 1) {
      // No leading empty string for a zero-width match at the beginning (Java 8+).
      if (index === 0 && start === 0 && start === end) continue;
      list.push(s.slice(index, start));
      index = end;
      matched = true;
    } else if (list.length === limit - 1) {
      list.push(s.slice(index));
      index = end;
      matched = true;
      break;
    }
  }
  if (!matched) return [s];
  if (!limited || list.length < limit) list.push(s.slice(index));
  if (limit === 0) while (list.length > 0 && list[list.length - 1] === '') list.pop();
  return list;
}
