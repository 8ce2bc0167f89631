import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node, parseAllDocuments } from 'yaml';
import type { Violation } from '../errors';
import { FLOW_LIMITS } from './flow-limits';

/** A path into a parsed document: keys and list indexes. */
export type PathSegment = string | number;

/** One YAML document of a source, parsed, with a way back from a path to a line and column. */
export interface YamlDocument {
  /** 0-based index of the document in the source. */
  readonly index: number;
  /** The document's own text (without the `---` separator). */
  readonly source: string;
  /** The JavaScript value; undefined when the document is empty or could not be parsed. */
  readonly value: unknown;
  /** YAML syntax problems (the value is unusable when there are any). */
  readonly errors: readonly Violation[];
  /** Line and column (1-based) of the node at `path`, or of its closest existing ancestor; `key` points at the key of a mapping entry. */
  locate(path: readonly PathSegment[], key?: boolean): { line: number; column: number };
  /** True when the document holds nothing but comments and whitespace. */
  readonly empty: boolean;
}

/** Parses every document of a YAML source; never throws. */
export function parseYamlDocuments(source: string): YamlDocument[] {
  const lineCounter = new LineCounter();
  const tooDeep = flowCollectionTooDeep(source);
  if (tooDeep !== undefined) {
    lineCounter.addNewLine(0);
    for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
    const at = position(lineCounter, tooDeep);
    return [
      {
        ...emptyDocument(source, lineCounter),
        empty: false,
        errors: [{ message: `YAML is nested more than ${FLOW_LIMITS.maxDepth} levels deep; the limit is ${FLOW_LIMITS.maxDepth}`, ...at }],
      },
    ];
  }
  const documents = countDocumentMarkers(source);
  if (documents > FLOW_LIMITS.maxDocuments) {
    return [
      {
        ...emptyDocument(source, lineCounter),
        empty: false,
        errors: [{ message: `source has ${documents} YAML documents; the limit is ${FLOW_LIMITS.maxDocuments}`, line: 1, column: 1 }],
      },
    ];
  }
  // `uniqueKeys` is quadratic in the number of keys of a mapping: duplicates are found by `duplicateKeys` instead.
  // No `merge`: Kestra reads YAML with Jackson, which does not resolve `<<` merge keys either.
  const docs = parseAllDocuments(source, { lineCounter, prettyErrors: true, uniqueKeys: false, keepSourceTokens: false });
  const list = Array.isArray(docs) ? docs : [];
  if (list.length === 0) {
    // `parseAllDocuments` returns an EmptyStream for a source without documents.
    return [emptyDocument(source, lineCounter)];
  }
  return list.slice(0, FLOW_LIMITS.maxDocuments).map((doc, index) => toYamlDocument(doc, index, source, lineCounter));
}

function position(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const p = lineCounter.linePos(offset);
  return { line: p.line, column: p.col };
}

function emptyDocument(source: string, lineCounter: LineCounter): YamlDocument {
  return {
    index: 0,
    source,
    value: undefined,
    errors: [],
    empty: true,
    locate: () => position(lineCounter, 0),
  };
}

function toYamlDocument(doc: Document.Parsed, index: number, source: string, lineCounter: LineCounter): YamlDocument {
  const [start, , end] = doc.range;
  // The document's own text, without its `---` marker line.
  const text = source.slice(start, end).replace(/^---[^\S\n]*(?:#[^\n]*)?\r?\n/, '');
  const errors: Violation[] = [];
  for (const e of doc.errors) {
    const at = position(lineCounter, e.pos[0]);
    // One syntax error per line: the parser often reports the same mistake twice.
    if (errors.some((x) => x.line === at.line)) continue;
    if (/call stack/i.test(e.message)) {
      errors.push({ message: `YAML is nested too deeply; the limit is ${FLOW_LIMITS.maxDepth} levels`, line: at.line, column: at.column });
      continue;
    }
    errors.push({ message: `YAML syntax error: ${describeYamlError(e.code, e.message)}`, line: at.line, column: at.column });
  }
  const locate = (path: readonly PathSegment[], key = false) => {
    const offset = locateOffset(doc, path, key) ?? start;
    return position(lineCounter, offset);
  };
  const empty = doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && doc.contents.range[0] === doc.contents.range[1]);
  if (errors.length === 0) {
    for (const offset of duplicateKeys(doc)) {
      const at = position(lineCounter, offset.offset);
      errors.push({ message: `YAML syntax error: duplicate key \`${offset.key}\` (keys of a mapping must be unique)`, line: at.line, column: at.column });
    }
  }
  if (errors.length > 0) return { index, source: text, value: undefined, errors, locate, empty };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: FLOW_LIMITS.maxAliasCount });
  } catch (e) {
    const message =
      e instanceof Error && /alias/i.test(e.message)
        ? `YAML aliases expand too much (more than ${FLOW_LIMITS.maxAliasCount} alias references): refused as a resource-exhaustion ("billion laughs") attack`
        : `YAML could not be converted: ${e instanceof Error ? e.message : String(e)}`;
    return { index, source: text, value: undefined, errors: [{ message, ...position(lineCounter, start) }], locate, empty };
  }
  const depth = maxDepth(value);
  if (depth > FLOW_LIMITS.maxDepth) {
    return {
      index,
      source: text,
      value: undefined,
      errors: [{ message: `YAML is nested ${depth} levels deep; the limit is ${FLOW_LIMITS.maxDepth}`, ...position(lineCounter, start) }],
      locate,
      empty,
    };
  }
  return { index, source: text, value, errors, locate, empty };
}

/** `---` marker lines: counted before parsing, which costs time per document. */
function countDocumentMarkers(source: string): number {
  let n = 1;
  for (let i = source.indexOf('---'); i >= 0; i = source.indexOf('---', i + 3)) if (i === 0 || source[i - 1] === '\n') n++;
  return n;
}

/** Keys repeated in a mapping, in linear time (iterative walk over the document's nodes). */
function duplicateKeys(doc: Document.Parsed): { key: string; offset: number }[] {
  const out: { key: string; offset: number }[] = [];
  const stack: unknown[] = [doc.contents];
  const seenNodes = new Set<unknown>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (seenNodes.has(node)) continue;
    seenNodes.add(node);
    if (isMap(node)) {
      const keys = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const k = String(pair.key.value);
          if (keys.has(k)) out.push({ key: k, offset: rangeStart(pair.key) ?? 0 });
          keys.add(k);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return out;
}

/** Offset of the node at `path` (or of the deepest ancestor found). */
function locateOffset(doc: Document.Parsed, path: readonly PathSegment[], key: boolean): number | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) return best;
      if (last && key) return rangeStart(pair.key) ?? best;
      node = pair.value;
      best = rangeStart(node) ?? rangeStart(pair.key) ?? best;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      best = rangeStart(node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}

/**
 * Offset where `[`/`{` nesting first exceeds the limit, or undefined. The
 * YAML parser recurses on flow collections, so hostile input is refused
 * before parsing. Quoted strings and comments are skipped.
 */
function flowCollectionTooDeep(source: string): number | undefined {
  // Compact block sequences (`- - - x`) nest one level per dash on a single line.
  for (let start = 0; start < source.length; ) {
    let j = start;
    while (source[j] === ' ') j++;
    let dashes = 0;
    while (source[j] === '-' && (source[j + 1] === ' ' || source[j + 1] === '\t')) {
      dashes++;
      j += 2;
      while (source[j] === ' ') j++;
    }
    if (dashes > FLOW_LIMITS.maxDepth) return start;
    const nl = source.indexOf('\n', j);
    if (nl < 0) break;
    start = nl + 1;
  }
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      else if (c === '\n' && depth === 0) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(source[i - 1]))) {
      const nl = source.indexOf('\n', i);
      if (nl < 0) return undefined;
      i = nl;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(source[i - 1]))) quote = c;
    else if (c === '[' || c === '{') {
      if (++depth > FLOW_LIMITS.maxDepth) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
    else if (c === '\n' && depth > 0 && /^\S/.test(source.slice(i + 1, i + 2))) depth = 0;
  }
  return undefined;
}

/** Depth of nested arrays/objects, iteratively (no recursion on hostile input). */
function maxDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (d > FLOW_LIMITS.maxDepth) return d;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

const YAML_HINTS: Record<string, string> = {
  TAB_AS_INDENT: 'tab character used for indentation (YAML allows spaces only)',
  BAD_INDENT: 'bad indentation',
  BLOCK_AS_IMPLICIT_KEY: 'bad indentation (a key is indented deeper than its siblings)',
  MULTILINE_IMPLICIT_KEY: 'bad indentation (a key is indented deeper than its siblings)',
  DUPLICATE_KEY: 'duplicate key',
};

function describeYamlError(code: string, message: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  const hint = YAML_HINTS[code];
  return hint ? `${hint}: ${first}` : first;
}
