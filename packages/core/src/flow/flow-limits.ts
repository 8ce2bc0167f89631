/** Limits that keep the validator safe on hostile input. */
export const FLOW_LIMITS = {
  /** Largest accepted flow source, in bytes (Kestra users never get near it). */
  maxSourceBytes: 1024 * 1024,
  /** Aliases expanded per document before we call it a resource-exhaustion attack ("billion laughs"). */
  maxAliasCount: 100,
  /** Deepest accepted nesting of YAML collections. */
  maxDepth: 64,
  /** Documents accepted in one multi-document source. */
  maxDocuments: 1000,
} as const;

/** Checks raw input before any parsing; returns a message when it must be refused. */
export function checkRawSource(input: string | Uint8Array): { source: string } | { error: string } {
  let source: string;
  if (typeof input === 'string') {
    const bytes = byteLength(input);
    if (bytes > FLOW_LIMITS.maxSourceBytes) return { error: tooLarge(bytes) };
    source = input;
  } else {
    if (input.byteLength > FLOW_LIMITS.maxSourceBytes) return { error: tooLarge(input.byteLength) };
    try {
      source = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return { error: 'flow source is not valid UTF-8 text (binary content?)' };
    }
  }
  if (looksBinary(source)) return { error: 'flow source contains binary data (NUL or control characters); a flow must be YAML text' };
  return { source: source.charCodeAt(0) === 0xfeff ? source.slice(1) : source };
}

function tooLarge(bytes: number): string {
  return `flow source is ${bytes} bytes; the limit is ${FLOW_LIMITS.maxSourceBytes} bytes (1 MB)`;
}

function byteLength(s: string): number {
  // Cheap upper bound first: UTF-16 length * 3 >= UTF-8 length.
  if (s.length * 3 <= FLOW_LIMITS.maxSourceBytes) return s.length;
  return new TextEncoder().encode(s).byteLength;
}

/** NUL, or C0 control characters other than tab/newline/CR, are not YAML text. */
function looksBinary(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
    if (c === 0x7f || c === 0xfffd) return true;
  }
  return false;
}
