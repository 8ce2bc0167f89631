/** What a masked secret is replaced with, as Kestra prints it. */
export const SECRET_MASK = '******';

/**
 * Collects every secret value revealed while rendering (by `secret()` or declared by the
 * runtime, e.g. SECRET inputs) so that log lines and API responses can be masked.
 * One masker per execution (or per task run) is the intended scope.
 *
 * @example
 * const masker = new SecretMasker();
 * await render("{{ secret('TOKEN') }}", ctx, { functions, secretMasker: masker });
 * masker.mask('Bearer abc123'); // 'Bearer ******'
 */
export class SecretMasker {
  private readonly known = new Set<string>();
  private sorted: string[] | undefined;

  /** Registers a secret value; empty strings are ignored (masking them would mask everything). */
  add(value: string): void {
    if (value.length === 0 || this.known.has(value)) return;
    this.known.add(value);
    this.sorted = undefined;
    // Multi-line secrets (keys, certificates) also leak line by line.
    if (value.includes('\n')) {
      for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) this.add(line);
    }
  }

  has(value: string): boolean {
    return this.known.has(value);
  }

  get size(): number {
    return this.known.size;
  }

  values(): readonly string[] {
    return [...this.known];
  }

  /** Replaces every known secret in `text` by `******` (longest secrets first). */
  mask(text: string): string {
    if (this.known.size === 0 || text.length === 0) return text;
    this.sorted ??= [...this.known].sort((a, b) => b.length - a.length);
    let out = text;
    for (const s of this.sorted) if (out.includes(s)) out = out.split(s).join(SECRET_MASK);
    return out;
  }

  /** Masks every string inside a JSON-like value (maps, lists), returning a new value. */
  maskDeep(value: unknown): unknown {
    if (this.known.size === 0) return value;
    if (typeof value === 'string') return this.mask(value);
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v));
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.maskDeep(v);
      return out;
    }
    return value;
  }
}
