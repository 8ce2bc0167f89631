/** Position of a node in the template source (1-based). */
export interface Pos {
  readonly line: number;
  readonly column: number;
}

export interface Args {
  readonly positional: readonly Expr[];
  readonly named: readonly (readonly [string, Expr])[];
}

export type Expr =
  | { readonly k: 'lit'; readonly v: unknown; readonly pos: Pos }
  | { readonly k: 'var'; readonly name: string; readonly pos: Pos }
  | { readonly k: 'attr'; readonly obj: Expr; readonly key: string | Expr; readonly pos: Pos }
  | { readonly k: 'list'; readonly items: readonly Expr[]; readonly pos: Pos }
  | { readonly k: 'map'; readonly entries: readonly (readonly [Expr, Expr])[]; readonly pos: Pos }
  | { readonly k: 'bin'; readonly op: string; readonly l: Expr; readonly r: Expr; readonly pos: Pos }
  | { readonly k: 'unary'; readonly op: 'not' | '-' | '+'; readonly e: Expr; readonly pos: Pos }
  | { readonly k: 'filter'; readonly input: Expr; readonly name: string; readonly args: Args; readonly pos: Pos }
  | { readonly k: 'test'; readonly input: Expr; readonly name: string; readonly args: Args; readonly negate: boolean; readonly pos: Pos }
  | { readonly k: 'call'; readonly name: string; readonly args: Args; readonly pos: Pos }
  | { readonly k: 'method'; readonly obj: Expr; readonly name: string; readonly args: readonly Expr[]; readonly pos: Pos }
  | { readonly k: 'ternary'; readonly c: Expr; readonly a: Expr; readonly b: Expr; readonly pos: Pos };

export interface FilterCall {
  readonly name: string;
  readonly args: Args;
  readonly pos: Pos;
}

export interface MacroDef {
  readonly name: string;
  readonly params: readonly (readonly [string, Expr | undefined])[];
  readonly body: readonly Node[];
}

export type Node =
  | { readonly k: 'text'; readonly s: string }
  | { readonly k: 'print'; readonly e: Expr; readonly src: string; readonly pos: Pos }
  | { readonly k: 'if'; readonly branches: readonly (readonly [Expr, readonly Node[]])[]; readonly otherwise?: readonly Node[]; readonly src: string; readonly pos: Pos }
  | {
      readonly k: 'for';
      readonly key: string;
      readonly iter: Expr;
      readonly body: readonly Node[];
      readonly otherwise?: readonly Node[];
      readonly src: string;
      readonly pos: Pos;
    }
  | { readonly k: 'set'; readonly name: string; readonly e: Expr; readonly src: string; readonly pos: Pos }
  | { readonly k: 'filterBlock'; readonly filters: readonly FilterCall[]; readonly body: readonly Node[]; readonly src: string; readonly pos: Pos }
  | { readonly k: 'block'; readonly name: string; readonly body: readonly Node[] };

export interface Template {
  readonly source: string;
  readonly nodes: readonly Node[];
  readonly macros: ReadonlyMap<string, MacroDef>;
  readonly blocks: ReadonlyMap<string, readonly Node[]>;
  /** Set when the template has no Pebble syntax at all: the output is this text. */
  readonly constant?: string;
  /** Set when the template is exactly one `{{ expr }}` (typed rendering keeps its native value). */
  readonly single?: Expr;
}
