import { createRequire } from 'node:module';
import type * as IonModule from 'ion-js';

const requireCjs = createRequire(import.meta.url);
let ionModule: typeof IonModule | undefined;
/** ion-js is required on first use (LAZY_MODULES in lib/windhover-function.ts). */
const ionJs = (): typeof IonModule => {
  ionModule ??= requireCjs('ion-js') as typeof IonModule;
  return ionModule;
};

/** A diff row (flat object of strings, numbers, booleans): null and undefined fields are omitted. */
export type IonRow = object;

/**
 * Kestra's ION file format for task outputs: one struct per line, written with
 * Amazon's ion-js so any Ion reader (and Kestra's FileSerde) reads it back.
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
