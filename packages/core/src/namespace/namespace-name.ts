import { BadRequestError } from '../errors';

/** Longest accepted namespace id. */
export const MAX_NAMESPACE_LENGTH = 150;

/**
 * Kestra's namespace pattern (`[a-z0-9][a-z0-9._-]*`, upper case tolerated as
 * Kestra's API does) with no empty segment: namespaces become storage paths
 * (`company.team` → `company/team`), so `a..b` or a trailing dot are refused.
 */
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

/** Throws a BadRequestError naming the problem when `namespace` is not a valid namespace id. */
export function assertValidNamespace(namespace: string): string {
  if (typeof namespace !== 'string' || namespace === '') throw new BadRequestError('Namespace is required');
  if (namespace.length > MAX_NAMESPACE_LENGTH) {
    throw new BadRequestError(`Invalid namespace: longer than ${MAX_NAMESPACE_LENGTH} characters`);
  }
  if (!NAMESPACE.test(namespace)) {
    throw new BadRequestError(
      `Invalid namespace ${JSON.stringify(namespace)}: use letters, digits, '_', '-' and '.' between non-empty parts`,
    );
  }
  return namespace;
}

/** The namespace and its parents, nearest first: `a.b.c` → [`a.b.c`, `a.b`, `a`]. */
export function namespaceLineage(namespace: string): string[] {
  const parts = namespace.split('.');
  const out: string[] = [];
  for (let i = parts.length; i > 0; i--) out.push(parts.slice(0, i).join('.'));
  return out;
}

/** Whether `namespace` is `parent` or one of its descendants. */
export function isNamespaceWithin(namespace: string, parent: string): boolean {
  return namespace === parent || namespace.startsWith(`${parent}.`);
}
