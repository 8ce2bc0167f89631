import type { ExpressionFunctions } from './functions-port';
import type { SecretMasker } from './secret-masker';

/** Options of one render. Every field is optional. */
export interface RenderOptions {
  /** I/O ports (secret, kv, read, ...) and the clock/id/random ports. */
  readonly functions?: ExpressionFunctions;
  /** Receives every secret value revealed by `secret()` during the render, for masking. */
  readonly secretMasker?: SecretMasker;
  /** Called with each secret value revealed (alternative or complement to `secretMasker`). */
  readonly onSecret?: (value: string) => void;
  /** Maximum nesting of calls, macros, `render()` and includes (default 100). */
  readonly maxDepth?: number;
  /** Maximum length of the rendered output in characters (default 10,000,000). */
  readonly maxOutputLength?: number;
  /** Maximum loop iterations in one render (default 1,000,000). */
  readonly maxIterations?: number;
  /** Kestra's legacy `recursive-rendering: true`: re-render the result until stable (max 100 passes). */
  readonly recursive?: boolean;
  /** A jq program times out after this many milliseconds (default 10 s). */
  readonly jqTimeoutMs?: number;
  /** Regex filters time out after this many milliseconds (Kestra default: 10 s). */
  readonly regexTimeoutMs?: number;
  /** Default time zone for date filters and `now()` (default UTC). */
  readonly timeZone?: string;
}

