import type { Args, Expr, MacroDef, Node, Pos, Template } from './ast';
import { ExpressionError, isExpressionError } from './expression-error';
import type { RenderOptions } from './render-options';
import { mapLiteral } from './java-hash-order';
import { callMethod } from './methods';
import { DEFAULT_REGEX_TIMEOUT_MS } from './regex-runner';
import { arithmetic, compareOp, condTruthy, contains, getAttribute, ifTruthy, toIterable } from './operators';
import { EvalFailure, Suspend, UndefinedSignal } from './signals';
import { isDouble, isNumber, javaString, mkNumber, num, printValue, valueEquals } from './values';

export { EvalFailure, Suspend, UndefinedSignal } from './signals';
export { condTruthy, getAttribute } from './operators';

export interface PortRecord {
  readonly key: string;
  readonly ok: boolean;
  readonly value: unknown;
}

export type ResolvedArgs = Readonly<Record<string, unknown>>;

export interface FilterDef {
  readonly args: readonly string[];
  readonly fn: (input: unknown, args: ResolvedArgs, ev: Evaluation) => unknown;
}
export interface FunctionDef {
  readonly args: readonly string[];
  readonly fn: (args: ResolvedArgs, ev: Evaluation, pos: Pos) => unknown;
}
export interface TestDef {
  readonly args?: readonly string[];
  readonly fn: (input: unknown, args: ResolvedArgs, ev: Evaluation) => boolean;
}

export interface Registry {
  readonly filters: ReadonlyMap<string, FilterDef>;
  readonly functions: ReadonlyMap<string, FunctionDef>;
  readonly tests: ReadonlyMap<string, TestDef>;
  readonly compile: (source: string) => Template;
}

const DEFAULT_MAX_DEPTH = 100;
const DEFAULT_MAX_OUTPUT = 10_000_000;
const DEFAULT_MAX_ITERATIONS = 1_000_000;

/** One render: scopes, output buffer, limits and the log of port calls for replay. */
export class Evaluation {
  /** Scope chain: index 0 is the template's base scope, loops push more. */
  private scopes: Map<string, unknown>[] = [new Map()];
  private out: string[] = [];
  private outLen = 0;
  private depth = 0;
  private iterations = 0;
  private portIndex = 0;
  private template: Template;
  readonly maxDepth: number;
  readonly maxOutput: number;
  readonly maxIterations: number;

  private root: Readonly<Record<string, unknown>>;

  constructor(
    root: Readonly<Record<string, unknown>>,
    readonly options: RenderOptions,
    readonly registry: Registry,
    readonly log: PortRecord[],
    template: Template,
    /** Synchronous render: async ports raise an error instead of suspending. */
    readonly sync: boolean,
  ) {
    this.root = root;
    this.template = template;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxOutput = options.maxOutputLength ?? DEFAULT_MAX_OUTPUT;
    this.maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  }

  // ---- entry points ----------------------------------------------------------------------

  renderTemplate(t: Template): string {
    if (t.constant !== undefined) return t.constant;
    const saved = this.template;
    this.template = t;
    try {
      return this.capture(() => this.nodes(t.nodes));
    } finally {
      this.template = saved;
    }
  }

  /** Typed evaluation of a single-expression template. */
  evaluateSingle(t: Template, e: Expr, src: string): unknown {
    this.template = t;
    const node = t.nodes[0];
    const pos = node && node.k === 'print' ? node.pos : { line: 1, column: 1 };
    return this.guard(src, pos, () => this.evalExpr(e));
  }

  /** Renders another template source inside this evaluation (the `render()` function). */
  renderNested(source: string, pos: Pos): string {
    return this.nest(pos, () => this.renderTemplate(this.registry.compile(source)));
  }

  // ---- port calls (replayed on resume) -----------------------------------------------------

  /** Calls an I/O or nondeterministic port. Results are logged so a replay after `await` sees the same values. */
  port<T>(key: string, invoke: () => T | Promise<T>, isAsync = false, onFirst?: (value: T) => void): T {
    if (isAsync && this.sync) {
      throw new EvalFailure(`${key.split(':')[0]}() reads data and cannot be used in a synchronous render; use render()`);
    }
    const i = this.portIndex++;
    const rec = this.log[i];
    if (rec) {
      if (rec.key !== key) throw new EvalFailure('Internal error: non-deterministic replay');
      if (!rec.ok) throw rec.value;
      return rec.value as T;
    }
    let r: T | Promise<T>;
    try {
      r = invoke();
    } catch (e) {
      this.log.push({ key, ok: false, value: e });
      throw e;
    }
    if (r instanceof Promise) {
      const log = this.log;
      throw new Suspend(
        r.then(
          (value) => {
            log.push({ key, ok: true, value });
            onFirst?.(value);
          },
          (error: unknown) => {
            log.push({ key, ok: false, value: error });
          },
        ),
      );
    }
    this.log.push({ key, ok: true, value: r });
    onFirst?.(r);
    return r;
  }

  // ---- variables -------------------------------------------------------------------------

  lookup(name: string, pos?: Pos): unknown {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const s = this.scopes[i] as Map<string, unknown>;
      if (s.has(name)) return s.get(name);
    }
    if (Object.hasOwn(this.root, name)) {
      const v = this.root[name];
      return v === undefined ? null : v;
    }
    if (name === '_context') return this.flatContext();
    throw new UndefinedSignal(name, pos);
  }

  /** Every visible variable as one map (root then scopes, innermost wins). */
  flatContext(): Record<string, unknown> {
    const out: Record<string, unknown> = { ...this.root };
    for (const s of this.scopes) for (const [k, v] of s) out[k] = v;
    return out;
  }

  /** Pebble's ScopeChain.set: updates the nearest scope that has the variable, else the current one. */
  private set(name: string, value: unknown): void {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i] as Map<string, unknown>;
      if (scope.has(name)) {
        scope.set(name, value);
        return;
      }
    }
    // A context variable is shadowed in the base scope (the caller's data is never mutated).
    const target = Object.hasOwn(this.root, name) ? this.scopes[0] : this.scopes[this.scopes.length - 1];
    (target as Map<string, unknown>).set(name, value);
  }

  // ---- output ----------------------------------------------------------------------------

  private write(s: string): void {
    if (s.length === 0) return;
    this.outLen += s.length;
    if (this.outLen > this.maxOutput) throw new EvalFailure(`Rendered output exceeds the limit of ${this.maxOutput} characters`);
    this.out.push(s);
  }

  private capture(f: () => void): string {
    const savedOut = this.out;
    this.out = [];
    try {
      f();
      return this.out.length === 1 ? (this.out[0] as string) : this.out.join('');
    } finally {
      this.out = savedOut;
    }
  }

  private nest<T>(pos: Pos, f: () => T): T {
    if (++this.depth > this.maxDepth) {
      this.depth--;
      throw new EvalFailure(`Maximum nesting depth of ${this.maxDepth} exceeded at line ${pos.line}`);
    }
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  // ---- nodes -----------------------------------------------------------------------------

  private guard<T>(src: string, pos: Pos, f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw this.wrap(e, src, pos);
    }
  }

  private wrap(e: unknown, src: string, pos: Pos): unknown {
    if (e instanceof Suspend || isExpressionError(e)) return e;
    if (e instanceof UndefinedSignal) {
      const line = e.pos?.line ?? pos.line;
      return new ExpressionError(`Unable to find \`${e.variable}\` used in the expression \`${src}\` at line ${line}`, src, e.pos ?? pos);
    }
    const message = e instanceof Error ? e.message : String(e);
    return new ExpressionError(`${message} (in the expression \`${src}\` at line ${pos.line})`, src, pos, { cause: e });
  }

  private nodes(nodes: readonly Node[]): void {
    for (const node of nodes) this.node(node);
  }

  private node(node: Node): void {
    switch (node.k) {
      case 'text':
        this.write(node.s);
        return;
      case 'print': {
        const v = this.guard(node.src, node.pos, () => this.evalExpr(node.e));
        this.write(printValue(v));
        return;
      }
      case 'if': {
        for (const [cond, body] of node.branches) {
          if (this.guard(node.src, node.pos, () => ifTruthy(this.evalExpr(cond)))) {
            this.nodes(body);
            return;
          }
        }
        if (node.otherwise) this.nodes(node.otherwise);
        return;
      }
      case 'for': {
        const iterable = this.guard(node.src, node.pos, () => this.evalExpr(node.iter));
        const items = this.guard(node.src, node.pos, () => toIterable(iterable));
        if (items.length === 0) {
          if (node.otherwise) this.nodes(node.otherwise);
          return;
        }
        const scope = new Map<string, unknown>();
        this.scopes.push(scope);
        try {
          const length = items.length;
          for (let i = 0; i < length; i++) {
            if (++this.iterations > this.maxIterations) {
              throw this.wrap(new EvalFailure(`Loop iteration limit of ${this.maxIterations} exceeded`), node.src, node.pos);
            }
            scope.set(node.key, items[i]);
            scope.set('loop', { index: i, length, first: i === 0, last: i === length - 1, revindex: length - i - 1 });
            this.nodes(node.body);
          }
        } finally {
          this.scopes.pop();
        }
        return;
      }
      case 'set': {
        const v = this.guard(node.src, node.pos, () => this.evalExpr(node.e));
        this.set(node.name, v);
        return;
      }
      case 'filterBlock': {
        let v: unknown = this.capture(() => this.nodes(node.body));
        for (const f of node.filters) {
          const input = v;
          v = this.guard(node.src, f.pos, () => this.applyFilter(f.name, input, f.args, f.pos));
        }
        this.write(printValue(v));
        return;
      }
      case 'block':
        this.nodes(node.body);
        return;
    }
  }

  // ---- expressions -----------------------------------------------------------------------

  evalExpr(e: Expr): unknown {
    switch (e.k) {
      case 'lit':
        return e.v;
      case 'var':
        return this.lookup(e.name, e.pos);
      case 'attr': {
        const obj = this.evalExpr(e.obj);
        const key = typeof e.key === 'string' ? e.key : this.evalExpr(e.key);
        return getAttribute(obj, key, e.pos);
      }
      case 'list':
        return e.items.map((x) => this.evalExpr(x));
      case 'map': {
        const entries: [string, unknown][] = [];
        for (const [k, v] of e.entries) {
          const key = k.k === 'var' ? k.name : this.evalExpr(k);
          entries.push([typeof key === 'string' ? key : printValue(key), this.evalExpr(v)]);
        }
        return mapLiteral(entries);
      }
      case 'unary': {
        const v = this.evalExpr(e.e);
        if (e.op === 'not') return !condTruthy(v);
        if (!isNumber(v)) throw new EvalFailure(`invalid operand for unary "${e.op}": ${printValue(v)}`);
        return e.op === '-' ? mkNumber(-num(v), isDouble(v)) : v;
      }
      case 'ternary':
        return condTruthy(this.evalExpr(e.c)) ? this.evalExpr(e.a) : this.evalExpr(e.b);
      case 'bin':
        return this.binary(e.op, e.l, e.r);
      case 'filter':
        return this.filterExpr(e);
      case 'test':
        return this.test(e.name, e.input, e.args, e.negate);
      case 'call':
        return this.call(e.name, e.args, e.pos);
      case 'method':
        return callMethod(this.evalExpr(e.obj), e.name, e.args.map((a) => this.evalExpr(a)), this.options.regexTimeoutMs ?? DEFAULT_REGEX_TIMEOUT_MS);
    }
  }

  private binary(op: string, l: Expr, r: Expr): unknown {
    switch (op) {
      case 'and':
        return condTruthy(this.evalExpr(l)) && condTruthy(this.evalExpr(r));
      case 'or':
        return condTruthy(this.evalExpr(l)) || condTruthy(this.evalExpr(r));
      case '??': {
        let v: unknown;
        try {
          v = this.evalExpr(l);
        } catch (err) {
          if (err instanceof UndefinedSignal) return this.evalExpr(r);
          throw err;
        }
        return v === null || v === undefined ? this.evalExpr(r) : v;
      }
      case '???': {
        try {
          return this.evalExpr(l);
        } catch (err) {
          if (err instanceof UndefinedSignal) return this.evalExpr(r);
          throw err;
        }
      }
    }
    const a = this.evalExpr(l);
    const b = this.evalExpr(r);
    switch (op) {
      case '==':
      case 'equals':
        return valueEquals(a, b);
      case '!=':
        return !valueEquals(a, b);
      case '<':
      case '>':
      case '<=':
      case '>=':
        return compareOp(op, a, b);
      case '+':
        if (typeof a === 'string' || typeof b === 'string') return this.bounded(javaString(a) + javaString(b));
        if (Array.isArray(a)) return Array.isArray(b) ? [...a, ...b] : [...a, b];
        return arithmetic(op, a, b);
      case '-':
        if (Array.isArray(a)) return a.filter((x) => (Array.isArray(b) ? !b.some((y) => valueEquals(x, y)) : !valueEquals(x, b)));
        return arithmetic(op, a, b);
      case '*':
      case '/':
      case '%':
        return arithmetic(op, a, b);
      case '~':
        return this.bounded((a === null || a === undefined ? '' : javaString(a)) + (b === null || b === undefined ? '' : javaString(b)));
      case 'contains':
        return contains(a, b);
      case 'in':
      case 'isIn':
        return contains(b, a);
      case 'notIn':
        return !contains(b, a);
      case '..': {
        if (!isNumber(a) || !isNumber(b)) throw new EvalFailure('Range bounds must be numbers');
        return this.range(num(a), num(b), 1);
      }
    }
    throw new EvalFailure(`Unknown operator "${op}"`);
  }

  /** Strings built by operators count against the output limit, so doubling cannot exhaust memory. */
  private bounded(s: string): string {
    if (s.length > this.maxOutput) throw new EvalFailure(`String exceeds the limit of ${this.maxOutput} characters`);
    return s;
  }

  range(start: number, end: number, step: number): number[] {
    if (step === 0) throw new EvalFailure('The step of range() must not be 0');
    const count = Math.floor((end - start) / step) + 1;
    if (count > this.maxIterations) throw new EvalFailure(`range() would produce ${count} items, over the limit of ${this.maxIterations}`);
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(start + i * step);
    return out;
  }

  resolveArgs(names: readonly string[], args: Args, what: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    args.positional.forEach((a, i) => {
      const name = names[0] === '...' ? `${i}` : names[i];
      if (name === undefined) throw new EvalFailure(`Too many arguments for ${what}`);
      out[name] = this.evalExpr(a);
    });
    for (const [name, a] of args.named) {
      if (!names.includes(name)) throw new EvalFailure(`Unknown argument "${name}" for ${what}; expected one of: ${names.join(', ')}`);
      out[name] = this.evalExpr(a);
    }
    return out;
  }

  private filterExpr(e: Extract<Expr, { k: 'filter' }>): unknown {
    let input: unknown;
    if (e.name === 'default') {
      try {
        input = this.evalExpr(e.input);
      } catch (err) {
        if (!(err instanceof UndefinedSignal)) throw err;
        input = null;
      }
    } else input = this.evalExpr(e.input);
    return this.applyFilter(e.name, input, e.args, e.pos);
  }

  applyFilter(name: string, input: unknown, args: Args, _pos: Pos): unknown {
    const def = this.registry.filters.get(name);
    if (!def) throw new EvalFailure(`Filter [${name}] does not exist.`);
    const resolved = this.resolveArgs(def.args, args, `filter "${name}"`);
    return def.fn(input, resolved, this);
  }

  private test(name: string, input: Expr, args: Args, negate: boolean): boolean {
    let result: boolean;
    if (name === 'defined') {
      try {
        this.evalExpr(input);
        result = true;
      } catch (err) {
        if (!(err instanceof UndefinedSignal)) throw err;
        result = false;
      }
    } else {
      const def = this.registry.tests.get(name);
      if (!def) throw new EvalFailure(`Test [${name}] does not exist.`);
      const v = this.evalExpr(input);
      result = def.fn(v, this.resolveArgs(def.args ?? [], args, `test "${name}"`), this);
    }
    return negate ? !result : result;
  }

  private call(name: string, args: Args, pos: Pos): unknown {
    const macro = this.template.macros.get(name);
    if (macro) return this.callMacro(macro, args, pos);
    if (name === 'block') {
      const [arg] = args.positional;
      const blockName = arg ? this.evalExpr(arg) : undefined;
      const body = this.template.blocks.get(String(blockName));
      if (!body) throw new EvalFailure(`Block [${String(blockName)}] does not exist.`);
      return this.nest(pos, () => this.capture(() => this.nodes(body)));
    }
    const def = this.registry.functions.get(name);
    if (!def) throw new EvalFailure(`Function or Macro [${name}] does not exist.`);
    return def.fn(this.resolveArgs(def.args, args, `function "${name}"`), this, pos);
  }

  private callMacro(macro: MacroDef, args: Args, pos: Pos): string {
    const names = macro.params.map(([n]) => n);
    const values = this.resolveArgs(names, args, `macro "${macro.name}"`);
    const scope = new Map<string, unknown>();
    for (const [n, def] of macro.params) {
      if (Object.hasOwn(values, n)) scope.set(n, values[n]);
      else scope.set(n, def ? this.evalExpr(def) : null);
    }
    return this.nest(pos, () => {
      // A macro sees only its arguments (Pebble): swap the scope chain and the root out.
      const savedScopes = this.scopes;
      const savedRoot = this.root;
      this.scopes = [scope];
      this.root = {};
      try {
        return this.capture(() => this.nodes(macro.body));
      } finally {
        this.scopes = savedScopes;
        this.root = savedRoot;
      }
    });
  }
}
