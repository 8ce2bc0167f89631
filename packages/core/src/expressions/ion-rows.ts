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

/** A diff row (flat object of strings, numbers, booleans): null and undefined fields are omitted. */
export type IonRow = object;

/**
 * Kestra's ION file format for task outputs (the reverse of ionRows): one
 * struct per line, written with Amazon's ion-js so any Ion reader (and
 * Kestra's FileSerde) reads it back.
 */
export function toIonRows(rows: readonly IonRow[]): Uint8Array {
  const { IonTypes, makeTextWriter } = ionJs();
  const writer = makeTextWriter();
  for (const row of rows) {
    writer.stepIn(IonTypes.STRUCT);
    for (const [key, value] of Object.entries(row)) {
      if (value === undefined || value === null) continue;
      writer.writeFieldName(key);
      if (typeof value === 'string') writer.writeString(value);
      else if (typeof value === 'boolean') writer.writeBoolean(value);
      else if (typeof value === 'number' && Number.isInteger(value)) writer.writeInt(value);
      else if (typeof value === 'number') writer.writeFloat64(value);
      else writer.writeString(JSON.stringify(value));
    }
    writer.stepOut();
  }
  writer.close();
  const bytes = writer.getBytes();
  if (bytes.length === 0) return bytes;
  // A trailing newline like Kestra's FileSerde, so files can be concatenated.
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = 0x0a;
  return out;
}
