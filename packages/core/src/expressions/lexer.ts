import type { Pos } from './ast';
import { ExpressionError } from './expression-error';

export type TokenType = 'num' | 'str' | 'name' | 'op';

export interface Token {
  readonly t: TokenType;
  readonly v: string;
  /** Offset in the template source. */
  readonly at: number;
  /** For numbers: whether the literal had a decimal point (a Java double). */
  readonly dbl?: boolean;
}

export type Item =
  | { readonly k: 'text'; s: string }
  | { readonly k: 'print' | 'tag'; readonly tokens: readonly Token[]; readonly src: string; readonly at: number; readonly end: number };

const OPS3 = ['???'];
const OPS2 = ['??', '==', '!=', '<=', '>=', '..'];
const OPS1 = '?:.,|()[]{}<>+-*/%~=!';

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isNamePart(c: string): boolean {
  return isNameStart(c) || isDigit(c);
}

/** Maps offsets to 1-based line/column. */
export class SourceMap {
  private readonly starts: number[] = [0];
  constructor(readonly source: string) {
    for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  pos(at: number): Pos {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - (this.starts[lo] as number) + 1 };
  }
}

export function syntaxError(message: string, source: string, map: SourceMap, at: number): ExpressionError {
  const pos = map.pos(Math.min(at, source.length));
  return new ExpressionError(`${message} (${excerpt(source)}:${pos.line})`, source, pos);
}

function excerpt(source: string): string {
  return source.length > 200 ? `${source.slice(0, 200)}...` : source;
}

/** Splits a template into text, `{{ }}` prints and `{% %}` tags; comments are dropped, raw blocks become text. */
export function scan(source: string, map: SourceMap): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNext = false;
  const n = source.length;
  const pushText = (s: string, trimBefore: boolean) => {
    let text = s;
    if (trimNext) text = text.replace(/^\s+/, '');
    if (trimBefore) text = text.replace(/\s+$/, '');
    trimNext = false;
    if (text.length > 0) {
      const last = items[items.length - 1];
      if (last && last.k === 'text') last.s += text;
      else items.push({ k: 'text', s: text });
    }
  };
  while (i < n) {
    const open = findOpen(source, i);
    if (open < 0) {
      pushText(source.slice(i), false);
      break;
    }
    const kind = source[open + 1];
    const trimBefore = source[open + 2] === '-';
    const start = open + 2 + (trimBefore ? 1 : 0);
    if (kind === '#') {
      pushText(source.slice(i, open), trimBefore);
      const close = source.indexOf('#}', start);
      if (close < 0) throw syntaxError('Unclosed comment', source, map, open);
      trimNext = source[close - 1] === '-';
      i = close + 2;
      continue;
    }
    const closer = kind === '{' ? '}}' : '%}';
    const { tokens, end, trimAfter } = tokenize(source, start, closer, map, open);
    const first = tokens[0];
    if (kind === '%' && first?.t === 'name' && (first.v === 'raw' || first.v === 'verbatim')) {
      // Kestra swaps raw blocks out before Pebble runs: their `-` markers trim nothing.
      pushText(source.slice(i, open), false);
      const endName = first.v === 'raw' ? 'endraw' : 'endverbatim';
      const re = new RegExp(`\\{%-?\\s*${endName}\\s*-?%\\}`, 'g');
      re.lastIndex = end;
      const m = re.exec(source);
      if (!m) throw syntaxError(`Unclosed "${first.v}" tag`, source, map, open);
      pushText(source.slice(end, m.index), false);
      i = m.index + m[0].length;
      continue;
    }
    pushText(source.slice(i, open), trimBefore);
    const src = source.slice(open, end);
    trimNext = trimAfter;
    i = end;
    items.push({ k: kind === '{' ? 'print' : 'tag', tokens, src, at: open, end });
  }
  return items;
}

function findOpen(source: string, from: number): number {
  let i = source.indexOf('{', from);
  while (i >= 0) {
    const c = source[i + 1];
    if (c === '{' || c === '%' || c === '#') return i;
    i = source.indexOf('{', i + 1);
  }
  return -1;
}

/** Tokenizes an expression from `start` up to the closing delimiter at brace depth 0. */
export function tokenize(
  source: string,
  start: number,
  closer: string | undefined,
  map: SourceMap,
  openAt: number,
): { tokens: Token[]; end: number; trimAfter: boolean } {
  const tokens: Token[] = [];
  let i = start;
  let depth = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (closer && depth === 0) {
      if (c === '-' && source.startsWith(closer, i + 1)) return { tokens, end: i + 1 + closer.length, trimAfter: true };
      if (source.startsWith(closer, i)) return { tokens, end: i + closer.length, trimAfter: false };
    }
    if (isDigit(c)) {
      let j = i;
      while (j < n && isDigit(source[j] as string)) j++;
      let dbl = false;
      if (source[j] === '.' && isDigit(source[j + 1] ?? '')) {
        dbl = true;
        j++;
        while (j < n && isDigit(source[j] as string)) j++;
      }
      const v = source.slice(i, j);
      if (!dbl && (source[j] === 'l' || source[j] === 'L')) j++;
      tokens.push({ t: 'num', v, at: i, dbl });
      i = j;
      continue;
    }
    if (isNameStart(c)) {
      let j = i + 1;
      while (j < n && isNamePart(source[j] as string)) j++;
      tokens.push({ t: 'name', v: source.slice(i, j), at: i });
      i = j;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let out = '';
      let closed = false;
      // Double-quoted strings interpolate `#{expr}` (Pebble): emitted as ("text" ~ (expr) ~ "text").
      const pieces: Token[][] = [];
      while (j < n) {
        const d = source[j] as string;
        if (d === '\\' && j + 1 < n) {
          const e = source[j + 1] as string;
          if (e === c || e === '\\') out += e;
          else out += d + e;
          j += 2;
          continue;
        }
        if (c === '"' && d === '#' && source[j + 1] === '{') {
          const inner = tokenize(source, j + 2, '}', map, j);
          if (inner.tokens.length === 0) throw syntaxError('Empty interpolation "#{}"', source, map, j);
          pieces.push([{ t: 'str', v: out, at: i }]);
          pieces.push(inner.tokens);
          out = '';
          j = inner.end;
          continue;
        }
        if (d === c) {
          closed = true;
          j++;
          break;
        }
        out += d;
        j++;
      }
      if (!closed) throw syntaxError('Unclosed string literal', source, map, i);
      if (pieces.length === 0) tokens.push({ t: 'str', v: out, at: i });
      else {
        pieces.push([{ t: 'str', v: out, at: i }]);
        tokens.push({ t: 'op', v: '(', at: i });
        pieces.forEach((p, k) => {
          if (k > 0) tokens.push({ t: 'op', v: '~', at: i });
          const expr = k % 2 === 1;
          if (expr) tokens.push({ t: 'op', v: '(', at: i });
          tokens.push(...p);
          if (expr) tokens.push({ t: 'op', v: ')', at: i });
        });
        tokens.push({ t: 'op', v: ')', at: i });
      }
      i = j;
      continue;
    }
    const three = source.slice(i, i + 3);
    const two = source.slice(i, i + 2);
    if (OPS3.includes(three)) {
      tokens.push({ t: 'op', v: three, at: i });
      i += 3;
      continue;
    }
    if (OPS2.includes(two)) {
      tokens.push({ t: 'op', v: two, at: i });
      i += 2;
      continue;
    }
    if (OPS1.includes(c)) {
      if (c === '{' || c === '[' || c === '(') depth++;
      else if (c === '}' || c === ']' || c === ')') depth = Math.max(0, depth - 1);
      tokens.push({ t: 'op', v: c, at: i });
      i++;
      continue;
    }
    throw syntaxError(`Unexpected character "${c}"`, source, map, i);
  }
  if (closer) throw syntaxError(`Unclosed "${source.slice(openAt, openAt + 2)}"`, source, map, openAt);
  return { tokens, end: n, trimAfter: false };
}
