import type { Flow, Violation } from '@windhover/core';

/** The result of validating one flow document. */
export interface FlowValidation {
  /** The parsed flow when the document is valid. */
  readonly flow?: Flow;
  readonly violations: readonly Violation[];
  readonly warnings?: readonly string[];
  readonly deprecationPaths?: readonly string[];
}

/**
 * What FlowService needs from the flow language (packages/core/src/flow):
 * parse + validate one source, and split a multi-document source.
 */
export interface FlowValidator {
  validate(source: string): FlowValidation;
  /** The documents of a `---`-separated source, each with its own text. */
  splitDocuments(source: string): readonly string[];
}
