import type { Args, Expr, FilterCall, MacroDef, Node, Pos, Template } from './ast';
import { type Item, SourceMap, type Token, scan, syntaxError, tokenize } from './lexer';
import { ExpressionError } from './expression-error';
import { JDouble } from './values';

/** Binary operators and their Pebble precedence (Pebble CoreExtension + Kestra's `??`/`???`). */
const BINARY: Readonly<Record<string, number>> = {
  or: 10,
  and: 15,
  is: 20,
  contains: 20,
  in: 20,
  isIn: 20,
  notIn: 20,
  '==': 30,
  equals: 30,
  '!=': 30,
  '<': 30,
  '>': 30,
  '<=': 30,
  '>=': 30,
  '+': 40,
  '-': 40,
  '*': 60,
  '/': 60,
  '%': 60,
  '|': 100,
  '~': 110,
  '..': 120,
  '??': 120,
  '???': 120,
};

const MAX_NESTING = 200;
/** Deepest expression tree accepted: evaluation recurses once per level. */
const MAX_EXPRESSION_DEPTH = 400;

class TokenStream {
  i = 0;
  constructor(
    readonly tokens: readonly Token[],
    readonly parser: Parser,
    readonly endAt: number,
  ) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw this.parser.error('Unexpected end of expression', this.endAt);
    return t;
  }
  isOp(v: string, offset = 0): boolean {
    const t = this.tokens[this.i + offset];
    return t !== undefined && t.t === 'op' && t.v === v;
  }
  isName(v: string, offset = 0): boolean {
    const t = this.tokens[this.i + offset];
    return t !== undefined && t.t === 'name' && t.v === v;
  }
  expectOp(v: string): Token {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw this.parser.error(`Expected "${v}" but found "${t.v}"`, t.at);
    return t;
  }
  expectName(): Token {
    const t = this.next();
    if (t.t !== 'name') throw this.parser.error(`Expected a name but found "${t.v}"`, t.at);
    return t;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  expectEnd(): void {
    const t = this.peek();
    if (t) throw this.parser.error(`Unexpected token "${t.v}"`, t.at);
  }
}

export class Parser {
  private readonly map: SourceMap;
  private items: Item[] = [];
  private idx = 0;
  private depth = 0;
  private readonly macros = new Map<string, MacroDef>();
  private readonly blocks = new Map<string, readonly Node[]>();
  private readonly depths = new WeakMap<Expr, number>();

  constructor(readonly source: string) {
    this.map = new SourceMap(source);
  }

  error(message: string, at: number) {
    return syntaxError(message, this.source, this.map, at);
  }

  pos(at: number): Pos {
    return this.map.pos(at);
  }

  /** Records the depth of a new node built on `children`; long chains (a.b.c..., x|f|f...) are bounded here. */
  private mk<E extends Expr>(node: E, ...children: Expr[]): E {
    let d = 0;
    for (const c of children) d = Math.max(d, this.depths.get(c) ?? 1);
    if (d + 1 > MAX_EXPRESSION_DEPTH) {
      throw new ExpressionError(`Expression is too deeply nested or too long (line ${node.pos.line})`, this.source, node.pos);
    }
    this.depths.set(node, d + 1);
    return node;
  }

  parseTemplate(): Template {
    this.items = scan(this.source, this.map);
    const { nodes, end } = this.parseBody([]);
    if (end) throw this.error(`Unexpected "${end.name}" tag`, end.at);
    const template: Template = { source: this.source, nodes, macros: this.macros, blocks: this.blocks };
    const only = nodes[0];
    if (nodes.length === 0) return { ...template, constant: '' };
    if (nodes.length === 1 && only?.k === 'text' && this.macros.size === 0) return { ...template, constant: only.s };
    if (nodes.length === 1 && only?.k === 'print') return { ...template, single: only.e };
    return template;
  }

  /** Parses a standalone expression (no delimiters), e.g. for `If.condition` written without `{{ }}`. */
  parseStandaloneExpression(): Expr {
    const { tokens } = tokenize(this.source, 0, undefined, this.map, 0);
    const s = new TokenStream(tokens, this, this.source.length);
    const e = this.expression(s);
    s.expectEnd();
    return e;
  }

  private parseBody(endTags: readonly string[]): {
    nodes: Node[];
    end?: { name: string; s: TokenStream; at: number; src: string };
  } {
    const nodes: Node[] = [];
    while (this.idx < this.items.length) {
      const item = this.items[this.idx++] as Item;
      if (item.k === 'text') {
        nodes.push({ k: 'text', s: item.s });
        continue;
      }
      const s = new TokenStream(item.tokens, this, item.end);
      if (item.k === 'print') {
        if (s.done()) throw this.error('Empty expression', item.at);
        const e = this.expression(s);
        s.expectEnd();
        nodes.push({ k: 'print', e, src: item.src, pos: this.pos(item.at) });
        continue;
      }
      const nameTok = s.peek();
      if (nameTok?.t !== 'name') throw this.error('Expected a tag name', item.at);
      s.next();
      const name = nameTok.v;
      if (endTags.includes(name)) return { nodes, end: { name, s, at: item.at, src: item.src } };
      nodes.push(...this.parseTag(name, s, item.at, item.src));
    }
    if (endTags.length > 0) throw this.error(`Unclosed tag: expected one of ${endTags.map((t) => `"${t}"`).join(', ')}`, this.source.length);
    return { nodes };
  }

  private nested<T>(at: number, f: () => T): T {
    if (++this.depth > MAX_NESTING) throw this.error('Template nesting is too deep', at);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private parseTag(name: string, s: TokenStream, at: number, src: string): Node[] {
    const pos = this.pos(at);
    switch (name) {
      case 'if':
        return this.nested(at, () => {
          const branches: [Expr, Node[]][] = [];
          let cond = this.expression(s);
          s.expectEnd();
          let otherwise: Node[] | undefined;
          for (;;) {
            const { nodes, end } = this.parseBody(['elseif', 'elif', 'else', 'endif']);
            if (!end) throw this.error('Unclosed "if" tag', at);
            if (otherwise !== undefined) {
              otherwise = nodes;
              if (end.name !== 'endif') throw this.error(`Unexpected "${end.name}" after "else"`, end.at);
              end.s.expectEnd();
              break;
            }
            branches.push([cond, nodes]);
            if (end.name === 'endif') {
              end.s.expectEnd();
              break;
            }
            if (end.name === 'else') {
              end.s.expectEnd();
              otherwise = [];
              continue;
            }
            cond = this.expression(end.s);
            end.s.expectEnd();
          }
          return [{ k: 'if', branches, ...(otherwise ? { otherwise } : {}), src, pos }];
        });
      case 'for':
        return this.nested(at, () => {
          const key = s.expectName().v;
          if (s.isOp(',')) throw this.error('"for" takes a single loop variable; iterate a map as entries (entry.key, entry.value)', at);
          const inTok = s.expectName();
          if (inTok.v !== 'in') throw this.error(`Expected "in" but found "${inTok.v}"`, inTok.at);
          const iter = this.expression(s);
          s.expectEnd();
          const body = this.parseBody(['else', 'endfor']);
          if (!body.end) throw this.error('Unclosed "for" tag', at);
          body.end.s.expectEnd();
          let otherwise: Node[] | undefined;
          if (body.end.name === 'else') {
            const rest = this.parseBody(['endfor']);
            rest.end?.s.expectEnd();
            otherwise = rest.nodes;
          }
          return [{ k: 'for', key, iter, body: body.nodes, ...(otherwise ? { otherwise } : {}), src, pos }];
        });
      case 'set': {
        const varName = s.expectName().v;
        s.expectOp('=');
        const e = this.expression(s);
        s.expectEnd();
        return [{ k: 'set', name: varName, e, src, pos }];
      }
      case 'filter':
        return this.nested(at, () => {
          const filters: FilterCall[] = [];
          do {
            const f = s.expectName();
            filters.push({ name: f.v, args: s.isOp('(') ? this.args(s) : NO_ARGS, pos: this.pos(f.at) });
          } while (s.isOp('|') && s.next());
          s.expectEnd();
          const { nodes, end } = this.parseBody(['endfilter']);
          end?.s.expectEnd();
          return [{ k: 'filterBlock', filters, body: nodes, src, pos }];
        });
      case 'macro':
        return this.nested(at, () => {
          const macroName = s.expectName().v;
          s.expectOp('(');
          const params: [string, Expr | undefined][] = [];
          while (!s.isOp(')')) {
            const p = s.expectName().v;
            let def: Expr | undefined;
            if (s.isOp('=')) {
              s.next();
              def = this.expression(s);
            }
            params.push([p, def]);
            if (!s.isOp(')')) s.expectOp(',');
          }
          s.expectOp(')');
          s.expectEnd();
          const { nodes, end } = this.parseBody(['endmacro']);
          end?.s.expectEnd();
          this.macros.set(macroName, { name: macroName, params, body: nodes });
          return [];
        });
      case 'block':
        return this.nested(at, () => {
          const t = s.next();
          if (t.t !== 'name' && t.t !== 'str') throw this.error('Expected a block name', t.at);
          s.expectEnd();
          const { nodes, end } = this.parseBody(['endblock']);
          if (end && !end.s.done()) end.s.next();
          this.blocks.set(t.v, nodes);
          return [{ k: 'block', name: t.v, body: nodes }];
        });
      case 'autoescape':
        return this.nested(at, () => {
          const { nodes, end } = this.parseBody(['endautoescape']);
          if (!end) throw this.error('Unclosed "autoescape" tag', at);
          return nodes;
        });
      default:
        if (/^(end\w+|else|elseif|elif)$/.test(name)) throw this.error(`Unexpected "${name}" tag`, at);
        throw this.error(`Unknown tag "${name}"`, at);
    }
  }

  // ---- expressions -------------------------------------------------------------------------

  expression(s: TokenStream, minPrecedence = 0): Expr {
    const start = s.peek();
    return this.nested(start?.at ?? s.endAt, () => {
      let left = this.unary(s);
      for (;;) {
        const t = s.peek();
        if (!t) break;
        let op: string | undefined;
        if (t.t === 'op' && BINARY[t.v] !== undefined) op = t.v;
        else if (t.t === 'name' && BINARY[t.v] !== undefined) op = t.v;
        else if (t.t === 'name' && t.v === 'not' && s.isName('in', 1)) op = 'notIn';
        if (op === undefined) break;
        const prec = BINARY[op] as number;
        if (prec < minPrecedence) break;
        s.next();
        if (op === 'notIn' && t.v === 'not') s.next();
        const pos = this.pos(t.at);
        if (op === '|') {
          const f = s.expectName();
          left = this.mk({ k: 'filter', input: left, name: f.v, args: s.isOp('(') ? this.args(s) : NO_ARGS, pos: this.pos(f.at) }, left);
        } else if (op === 'is') {
          let negate = false;
          if (s.isName('not')) {
            s.next();
            negate = true;
          }
          const tn = s.next();
          if (tn.t !== 'name') throw this.error(`Expected a test name but found "${tn.v}"`, tn.at);
          left = this.mk({ k: 'test', input: left, name: tn.v, args: s.isOp('(') ? this.args(s) : NO_ARGS, negate, pos }, left);
        } else {
          const right = this.expression(s, prec + 1);
          left = this.mk({ k: 'bin', op, l: left, r: right, pos }, left, right);
        }
      }
      if (minPrecedence === 0 && s.isOp('?')) {
        const q = s.next();
        const a = this.expression(s);
        s.expectOp(':');
        const b = this.expression(s);
        left = this.mk({ k: 'ternary', c: left, a, b, pos: this.pos(q.at) }, left, a, b);
      }
      return left;
    });
  }

  private unary(s: TokenStream): Expr {
    const t = s.peek();
    if (t && ((t.t === 'name' && t.v === 'not') || (t.t === 'op' && (t.v === '-' || t.v === '+')))) {
      s.next();
      const e = this.expression(s, 500);
      if (t.v === '-' && e.k === 'lit' && typeof e.v === 'number') return { k: 'lit', v: -e.v, pos: this.pos(t.at) };
      if (t.v === '-' && e.k === 'lit' && e.v instanceof JDouble) return { k: 'lit', v: new JDouble(-e.v.value), pos: this.pos(t.at) };
      return this.mk({ k: 'unary', op: t.v as 'not' | '-' | '+', e, pos: this.pos(t.at) }, e);
    }
    return this.postfix(s, this.primary(s));
  }

  private primary(s: TokenStream): Expr {
    const t = s.next();
    const pos = this.pos(t.at);
    switch (t.t) {
      case 'num': {
        if (t.dbl) {
          const v = Number(t.v);
          return { k: 'lit', v: Number.isInteger(v) ? new JDouble(v) : v, pos };
        }
        return { k: 'lit', v: Number(t.v), pos };
      }
      case 'str':
        return { k: 'lit', v: t.v, pos };
      case 'name': {
        if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true', pos };
        if (t.v === 'null' || t.v === 'none') return { k: 'lit', v: null, pos };
        if (s.isOp('(')) {
          const args = this.args(s);
          return this.mk({ k: 'call', name: t.v, args, pos }, ...args.positional, ...args.named.map(([, e]) => e));
        }
        return { k: 'var', name: t.v, pos };
      }
      case 'op': {
        if (t.v === '(') {
          const e = this.expression(s);
          s.expectOp(')');
          return e;
        }
        if (t.v === '[') {
          const items: Expr[] = [];
          while (!s.isOp(']')) {
            items.push(this.expression(s));
            if (!s.isOp(']')) s.expectOp(',');
          }
          s.expectOp(']');
          return this.mk({ k: 'list', items, pos }, ...items);
        }
        if (t.v === '{') {
          const entries: [Expr, Expr][] = [];
          while (!s.isOp('}')) {
            const key = this.expression(s);
            s.expectOp(':');
            entries.push([key, this.expression(s)]);
            if (!s.isOp('}')) s.expectOp(',');
          }
          s.expectOp('}');
          return this.mk({ k: 'map', entries, pos }, ...entries.flat());
        }
        throw this.error(`Unexpected "${t.v}"`, t.at);
      }
    }
  }

  private postfix(s: TokenStream, base: Expr): Expr {
    let e = base;
    for (;;) {
      if (s.isOp('.')) {
        const dot = s.next();
        const t = s.next();
        if (t.t !== 'name' && t.t !== 'num') throw this.error(`Expected an attribute name after "." but found "${t.v}"`, t.at);
        if (s.isOp('(')) {
          // Java methods of maps, lists, strings and numbers that Pebble lets templates call (a fixed allow-list).
          const args = this.args(s);
          if (args.named.length > 0) throw this.error(`Method "${t.v}" takes positional arguments only`, t.at);
          e = this.mk({ k: 'method', obj: e, name: t.v, args: args.positional, pos: this.pos(t.at) }, e, ...args.positional);
          continue;
        }
        e = this.mk({ k: 'attr', obj: e, key: t.v, pos: this.pos(dot.at) }, e);
      } else if (s.isOp('[')) {
        const b = s.next();
        const key = this.expression(s);
        s.expectOp(']');
        e = this.mk({ k: 'attr', obj: e, key, pos: this.pos(b.at) }, e, key);
      } else {
        return e;
      }
    }
  }

  private args(s: TokenStream): Args {
    s.expectOp('(');
    const positional: Expr[] = [];
    const named: [string, Expr][] = [];
    while (!s.isOp(')')) {
      const t = s.peek();
      if (t?.t === 'name' && s.isOp('=', 1)) {
        s.next();
        s.next();
        named.push([t.v, this.expression(s)]);
      } else {
        if (named.length > 0) throw this.error('Positional arguments must come before named arguments', t?.at ?? s.endAt);
        positional.push(this.expression(s));
      }
      if (!s.isOp(')')) s.expectOp(',');
    }
    s.expectOp(')');
    return { positional, named };
  }
}

export const NO_ARGS: Args = { positional: [], named: [] };

export function parseTemplate(source: string): Template {
  return new Parser(source).parseTemplate();
}
