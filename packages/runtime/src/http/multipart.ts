import { BadRequestError } from '@windhover/core';

export interface MultipartPart {
  /** The form field name (`Content-Disposition: form-data; name=...`). */
  readonly name: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly data: Uint8Array;
}

const MAX_PARTS = 1000;

/** The boundary of a `multipart/form-data` content type, or undefined for other types. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType.trim())) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary || boundary.length > 200) throw new BadRequestError('multipart/form-data without a valid boundary');
  return boundary;
}

/** Parses one header parameter list such as `form-data; name="a"; filename="b.txt"`. */
function dispositionParams(value: string): Record<string, string> {
  const params: Record<string, string> = {};
  const re = /;\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const key = m[1].toLowerCase();
    const raw = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
    if (key === 'filename*') {
      // RFC 5987: charset''percent-encoded
      const ext = /^[^']*'[^']*'(.*)$/.exec(raw);
      try {
        params['filename'] = decodeURIComponent(ext ? ext[1] : raw);
      } catch {
        params['filename'] = raw;
      }
    } else if (!(key === 'filename' && 'filename' in params)) {
      params[key] = raw;
    }
  }
  return params;
}

/**
 * A small `multipart/form-data` parser (RFC 7578) over a complete body.
 * Part bodies are kept as bytes; headers are read as UTF-8.
 */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartPart[] {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = buf.indexOf(delimiter);
  if (pos < 0) throw new BadRequestError('malformed multipart body: boundary not found');
  while (true) {
    pos += delimiter.length;
    // `--` after a delimiter closes the body.
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) return parts;
    // Skip transport padding up to the line end.
    while (buf[pos] === 0x20 || buf[pos] === 0x09) pos++;
    if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a) pos += 2;
    else if (buf[pos] === 0x0a) pos += 1;
    else throw new BadRequestError('malformed multipart body: expected a line break after the boundary');
    let headerEnd = buf.indexOf('\r\n\r\n', pos);
    let sepLen = 4;
    const lfEnd = buf.indexOf('\n\n', pos);
    if (headerEnd < 0 || (lfEnd >= 0 && lfEnd < headerEnd)) {
      headerEnd = lfEnd;
      sepLen = 2;
    }
    if (headerEnd < 0) throw new BadRequestError('malformed multipart body: unterminated part headers');
    const headers: Record<string, string> = {};
    for (const line of buf.subarray(pos, headerEnd).toString('utf8').split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const dataStart = headerEnd + sepLen;
    const next = buf.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), dataStart);
    const nextLf = next < 0 ? buf.indexOf(Buffer.concat([Buffer.from('\n'), delimiter]), dataStart) : -1;
    if (next < 0 && nextLf < 0) throw new BadRequestError('malformed multipart body: missing closing boundary');
    const dataEnd = next >= 0 ? next : nextLf;
    const disposition = headers['content-disposition'];
    if (!disposition || !/^form-data\b/i.test(disposition)) throw new BadRequestError('malformed multipart body: part without form-data disposition');
    const params = dispositionParams(disposition);
    if (params['name'] === undefined) throw new BadRequestError('malformed multipart body: part without a name');
    parts.push({
      name: params['name'],
      ...(params['filename'] !== undefined ? { filename: params['filename'] } : {}),
      ...(headers['content-type'] ? { contentType: headers['content-type'] } : {}),
      data: new Uint8Array(buf.subarray(dataStart, dataEnd)),
    });
    if (parts.length > MAX_PARTS) throw new BadRequestError(`multipart body has more than ${MAX_PARTS} parts`);
    pos = dataEnd + (next >= 0 ? 2 : 1);
  }
}
