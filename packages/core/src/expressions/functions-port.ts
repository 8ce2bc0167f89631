/**
 * I/O-backed functions are ports supplied by the caller; missing ones raise a clear
 * ExpressionError ("function `secret` is not available here") when a template uses them.
 */
export interface ExpressionFunctions {
  /** `secret(key, namespace=)`: the secret value; must throw when missing. Values are registered for masking. */
  secret?(key: string, options?: { namespace?: string }): Promise<string>;
  /**
   * `kv(key, namespace=flow.namespace, errorOnMissing=true)`: the typed KV value, or undefined/null when
   * the key is missing (the engine then raises Kestra's error if errorOnMissing). When the template names
   * no namespace, `inherit` is true: Kestra then also looks in the parent namespaces (a.b.c, a.b, a).
   */
  kv?(key: string, options: { namespace?: string; errorOnMissing: boolean; inherit?: boolean }): Promise<unknown>;
  /** `read(path)`: a namespace file path, `nsfile://` or `kestra://` URI, as a string. */
  read?(path: string, options: { namespace?: string; revision?: number }): Promise<string>;
  /** `fileURI(path)`: the kestra:// URI of a namespace file (no read). */
  fileURI?(path: string, options: { namespace?: string }): string;
  fileSize?(uri: string): Promise<number>;
  fileExists?(uri: string): Promise<boolean>;
  isFileEmpty?(uri: string): Promise<boolean>;
  /** `errorLogs()`: ERROR-level logs of the current execution. */
  errorLogs?(): Promise<unknown[]>;
  /** Clock port for `now()`; tests inject a fixed date. */
  now?(): Date;
  /** Id port for `uuid()`. */
  uuid?(): string;
  /** Random port in [0, 1) for `randomInt`. */
  random?(): number;
}
