import { BadRequestError } from '../errors';
import { assertValidNamespace } from './namespace-name';
import { normalizeNamespacePath } from './namespace-path';

/**
 * Resolves a namespace file reference as `read()`, `inputFiles` and FILE
 * input defaults accept it: `nsfile:///path` (the current namespace, no
 * parent fallback), `nsfile://other.namespace/path`, or a plain path
 * (`scripts/a.py`, `/scripts/a.py`) in the current or the given namespace.
 * The path is normalized and can never escape its namespace.
 */
export function resolveNamespaceFileRef(ref: string, currentNamespace: string): { namespace: string; path: string } {
  if (typeof ref !== 'string' || ref === '') throw new BadRequestError('A namespace file path is required');
  if (ref.startsWith('nsfile://')) {
    const rest = ref.slice('nsfile://'.length);
    const slash = rest.indexOf('/');
    const host = slash < 0 ? rest : rest.slice(0, slash);
    const path = slash < 0 ? '/' : rest.slice(slash);
    const namespace = host === '' ? currentNamespace : assertValidNamespace(host);
    return { namespace, path: normalizeNamespacePath(path) };
  }
  return { namespace: currentNamespace, path: normalizeNamespacePath(ref) };
}

/** Whether a string is an `nsfile://` URI. */
export const isNamespaceFileUri = (s: unknown): s is string => typeof s === 'string' && s.startsWith('nsfile://');

/** The `kestra:///{ns/as/path}/_files{path}` URI of a namespace file, as `fileURI()` returns it. */
export function namespaceFileStorageUri(namespace: string, path: string): string {
  return `kestra:///${namespace.replace(/\./g, '/')}/_files${normalizeNamespacePath(path)}`;
}
