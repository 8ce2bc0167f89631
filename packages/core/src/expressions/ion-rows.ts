import { ionJs } from './data-formats';

/**
 * The first `maxRows` values of an Ion file as Kestra writes them (one value
 * per line, FileSerde), as plain data (timestamps become ISO strings);
 * `truncated` when more rows follow. Throws on a line that is not Ion.
 */
export function ionRows(text: string, maxRows: number): { rows: unknown[]; truncated: boolean } {
  const rows: unknown[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const line = text.slice(start, nl < 0 ? text.length : nl);
    start = nl < 0 ? text.length : nl + 1;
    if (line.trim() === '') continue;
    if (rows.length >= maxRows) return { rows, truncated: true };
    const value = ionJs().load(line);
    rows.push(value === null ? null : (JSON.parse(JSON.stringify(value)) as unknown));
  }
  return { rows, truncated: false };
}
