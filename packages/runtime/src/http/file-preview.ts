import { BadRequestError, ValidationError, ionRows } from '@windhover/core';

/** Kestra's FileRender: what the UI shows of an execution file. */
export interface FilePreview {
  readonly extension: string;
  readonly type: 'TEXT' | 'LIST' | 'IMAGE' | 'MARKDOWN' | 'PDF';
  readonly content: unknown;
  readonly maxLine: number;
  readonly truncated: boolean;
}

const IMAGES = new Set(['jpg', 'jpeg', 'png', 'svg', 'gif', 'bmp', 'webp']);
/** Kestra cuts text previews at 2 MB. */
const MAX_TEXT_BYTES = 2 * 1024 * 1024;

function textLines(data: Uint8Array, encoding: string, maxLine: number): { content: string; truncated: boolean } {
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(encoding);
  } catch {
    throw new ValidationError(`Unable to preview using encoding '${encoding}'`, [{ path: 'encoding', message: `unknown encoding '${encoding}'` }]);
  }
  const lines = decoder.decode(data).split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  let truncated = lines.length > maxLine;
  let content = lines.slice(0, maxLine).join('\n');
  const bytes = new TextEncoder().encode(content);
  if (bytes.length > MAX_TEXT_BYTES) {
    truncated = true;
    content = new TextDecoder().decode(bytes.slice(0, MAX_TEXT_BYTES));
  }
  return { content, truncated };
}

/**
 * Kestra's file preview (FileRenderBuilder): Ion files as a LIST of rows,
 * images and PDF as base64, Markdown as MARKDOWN, anything else as TEXT,
 * each cut at `maxLine` lines or rows.
 */
export function filePreview(path: string, data: Uint8Array, maxLine: number, encoding = 'UTF-8'): FilePreview {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  const ext = extension.toLowerCase();
  if (IMAGES.has(ext) || ext === 'pdf') {
    return { extension, type: ext === 'pdf' ? 'PDF' : 'IMAGE', content: Buffer.from(data).toString('base64'), maxLine, truncated: false };
  }
  if (ext === 'ion') {
    try {
      const { rows, truncated } = ionRows(new TextDecoder().decode(data), maxLine);
      return { extension, type: 'LIST', content: rows, maxLine, truncated };
    } catch (e) {
      throw new BadRequestError(`Unable to read '${name}' as Ion: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const { content, truncated } = textLines(data, ext === 'md' ? 'UTF-8' : encoding, maxLine);
  return { extension, type: ext === 'md' ? 'MARKDOWN' : 'TEXT', content, maxLine, truncated };
}
