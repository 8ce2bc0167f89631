import { type Document, LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';

/** `tasks[1].type` or `/spec/id` or `spec.id` → ['tasks', 1, 'type']. */
export function pathSegments(path: string): (string | number)[] {
  const parts = path.startsWith('/') ? path.slice(1).split('/') : path.replace(/\[(\d+)\]/g, '.$1').split('.');
  return parts.filter((p) => p !== '').map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
}

/**
 * The 1-based line of the deepest node of `doc` that `segments` reaches (the
 * parent when the last segment is missing, e.g. a required property).
 */
export function lineOfSegments(doc: Document.Parsed, lines: LineCounter, segments: readonly (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined;
  const at = (n: unknown): number | undefined => {
    const range = (n as { range?: readonly number[] } | null)?.range;
    return range ? lines.linePos(range[0] ?? 0).line : undefined;
  };
  line = at(node);
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      // A property's line is its key's line (a block map value starts on the next line).
      line = at(pair.key) ?? line;
      node = pair.value;
      continue;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (node === undefined) break;
    } else break;
    line = at(node) ?? line;
  }
  return line;
}

/** The 1-based line, inside a flow source, of a validation path such as `tasks[1].type`; of the YAML error for a syntax error. */
export function lineInSource(source: string, path: string | undefined): number | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines });
  const firstError = doc.errors[0];
  if (firstError) return firstError.linePos?.[0]?.line;
  return path ? lineOfSegments(doc, lines, pathSegments(path)) : undefined;
}

/**
 * Splits a constraint line of `POST /flows/validate` ("tasks[0].type: unknown task type")
 * into its property path and message.
 */
export function splitConstraint(line: string): { path?: string; message: string } {
  const m = /^([A-Za-z_$][\w$.-]*(?:\[\d+\][\w$.-]*)*): (.*)$/.exec(line);
  return m ? { path: m[1] as string, message: m[2] as string } : { message: line };
}
