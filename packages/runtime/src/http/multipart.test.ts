import { describe, expect, it } from 'vitest';
import { multipartBoundary, parseMultipart } from './multipart';

/** Encodes a FormData the way a real client (undici, as in Node's fetch) does. */
async function encode(form: FormData): Promise<{ body: Uint8Array; contentType: string }> {
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { body: new Uint8Array(await req.arrayBuffer()), contentType: req.headers.get('content-type') ?? '' };
}

describe('parseMultipart', () => {
  it('reads fields and files produced by a real FormData encoder', async () => {
    const form = new FormData();
    form.append('name', 'Wörld');
    form.append('list', 'a');
    form.append('list', 'b');
    const binary = new Uint8Array([0, 1, 2, 13, 10, 45, 45, 255]);
    form.append('files', new Blob([binary], { type: 'application/octet-stream' }), 'myfile');
    const { body, contentType } = await encode(form);
    const parts = parseMultipart(body, multipartBoundary(contentType)!);
    expect(parts.map((p) => p.name)).toEqual(['name', 'list', 'list', 'files']);
    expect(new TextDecoder().decode(parts[0].data)).toBe('Wörld');
    expect(parts[3].filename).toBe('myfile');
    expect(parts[3].contentType).toBe('application/octet-stream');
    expect([...parts[3].data]).toEqual([...binary]);
  });

  it('keeps a value that contains line breaks and dashes intact', async () => {
    const form = new FormData();
    form.append('text', 'line1\r\n--not-a-boundary\r\nline3\r\n');
    const { body, contentType } = await encode(form);
    expect(new TextDecoder().decode(parseMultipart(body, multipartBoundary(contentType)!)[0].data)).toBe('line1\r\n--not-a-boundary\r\nline3\r\n');
  });

  it('reads a quoted boundary and an empty body part', () => {
    const body = new TextEncoder().encode('--xyz\r\nContent-Disposition: form-data; name="empty"\r\n\r\n\r\n--xyz--\r\n');
    const parts = parseMultipart(body, multipartBoundary('multipart/form-data; boundary="xyz"')!);
    expect(parts).toEqual([{ name: 'empty', data: new Uint8Array() }]);
  });

  it('rejects a body without its closing boundary', () => {
    const body = new TextEncoder().encode('--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue');
    expect(() => parseMultipart(body, 'xyz')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('returns no boundary for other content types and rejects multipart without one', () => {
    expect(multipartBoundary('application/json')).toBeUndefined();
    expect(() => multipartBoundary('multipart/form-data')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});
