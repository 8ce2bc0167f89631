import { BadRequestError } from '../errors';

/** Longest accepted name of one path segment, in UTF-8 bytes (the common file-system limit). */
export const MAX_NAMESPACE_FILE_NAME_BYTES = 255;
/** Longest accepted namespace file path, in UTF-8 bytes (leading `/` included). */
export const MAX_NAMESPACE_FILE_PATH_BYTES = 1024;

const encoder = new TextEncoder();

/**
 * Percent-encodings that would turn into a separator, a dot or a NUL once
 * decoded again somewhere downstream. Query strings are decoded once by the
 * HTTP layer; anything still encoded here is a second layer of encoding.
 */
const ENCODED_TRICK = /%(2f|5c|2e|00|25)/i;
/** A URI scheme or a Windows drive letter at the start (`file:`, `C:`). */
const SCHEME_OR_DRIVE = /^[a-z][a-z0-9+.-]*:/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is rejected
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Normalizes a namespace file path to its canonical form: POSIX, rooted at
 * `/`, no empty or `.` segments, no trailing slash (the root is `/`).
 *
 * Rejects, with a BadRequestError naming the problem: `..` segments,
 * backslashes, NUL and other control characters, percent-encoded
 * separators/dots, URI schemes or drive letters, and names or paths that are
 * too long. A leading `/` is optional: `scripts/a.py` and `/scripts/a.py` are
 * the same file.
 *
 * @example normalizeNamespacePath('scripts//etl.py') === '/scripts/etl.py'
 */
export function normalizeNamespacePath(raw: string): string {
  if (typeof raw !== 'string') throw new BadRequestError('Namespace file path must be a string');
  const shown = JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
  if (CONTROL.test(raw)) {
    throw new BadRequestError(`Invalid namespace file path ${shown}: control characters (NUL included) are not allowed`);
  }
  if (raw.includes('\\')) {
    throw new BadRequestError(`Invalid namespace file path ${shown}: backslashes are not allowed, use '/'`);
  }
  if (ENCODED_TRICK.test(raw)) {
    throw new BadRequestError(`Invalid namespace file path ${shown}: percent-encoded separators, dots or NUL are not allowed`);
  }
  if (SCHEME_OR_DRIVE.test(raw)) {
    throw new BadRequestError(`Invalid namespace file path ${shown}: a path, not a URI or drive, is expected`);
  }
  const segments: string[] = [];
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      throw new BadRequestError(`Invalid namespace file path ${shown}: '..' segments are not allowed`);
    }
    if (encoder.encode(segment).length > MAX_NAMESPACE_FILE_NAME_BYTES) {
      throw new BadRequestError(
        `Invalid namespace file path ${shown}: a name is longer than ${MAX_NAMESPACE_FILE_NAME_BYTES} bytes`,
      );
    }
    segments.push(segment);
  }
  const path = `/${segments.join('/')}`;
  if (encoder.encode(path).length > MAX_NAMESPACE_FILE_PATH_BYTES) {
    throw new BadRequestError(`Invalid namespace file path ${shown}: longer than ${MAX_NAMESPACE_FILE_PATH_BYTES} bytes`);
  }
  return path;
}

/** The parent directory of a normalized path (`/` for top-level entries and for the root). */
export function parentNamespacePath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last segment of a normalized path (`''` for the root). */
export function namespacePathBaseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Every ancestor directory of a normalized path, nearest last, root excluded: `/a/b/c` → [`/a`, `/a/b`]. */
export function namespacePathAncestors(path: string): string[] {
  const parts = path.split('/').filter((s) => s !== '');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}

/** Whether `path` is `dir` itself or lies below it (both normalized). */
export function isWithinNamespacePath(path: string, dir: string): boolean {
  if (dir === '/') return true;
  return path === dir || path.startsWith(`${dir}/`);
}

/** Joins normalized segments and normalizes the result (each part is validated). */
export function joinNamespacePath(...parts: readonly string[]): string {
  return normalizeNamespacePath(parts.join('/'));
}
