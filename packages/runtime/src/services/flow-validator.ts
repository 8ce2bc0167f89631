import type { Flow, Violation } from '@windhover/core';

/** The result of validating one flow document. */
export interface FlowValidation {
  /** The parsed flow when the document is valid. */
  readonly flow?: Flow;
  readonly violations: readonly Violation[];
  readonly warnings?: readonly string[];
  readonly deprecationPaths?: readonly string[];
}

/** What FlowService needs from the flow language (packages/core/src/flow): parse + validate one source. */
export interface FlowValidator {
  validate(source: string): FlowValidation;
}

/**
 * The documents of a `---`-separated source, each kept verbatim (comments
 * included) because it becomes a stored flow source. Block scalars are
 * indented, so a `---` line at column 0 is always a document marker.
 */
export function splitYamlDocuments(source: string): string[] {
  return source
    .split(/^(?:---|\.\.\.)[ \t]*(?:#[^\r\n]*)?\r?$/m)
    .map((d) => d.replace(/^\r?\n/, ''))
    .filter((d) => d.trim() !== '');
}
