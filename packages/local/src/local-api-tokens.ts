import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashApiToken } from '@windhover/runtime';

export const API_TOKENS_FILE = 'api-tokens.json';

export interface StoredApiToken {
  readonly id: string;
  readonly name: string;
  /** Hex SHA-256 of the token: the token itself is shown once and never stored. */
  readonly hash: string;
  readonly created: string;
}

/**
 * API tokens of the local edition (`Authorization: Bearer`), kept hashed in
 * the data folder. The server re-reads the file when it changes, so a token
 * created with `windhover server api-token create` works without a restart.
 */
export class LocalApiTokens {
  private readonly file: string;
  private cache: { stamp: string; tokens: StoredApiToken[] } | undefined;

  constructor(dataDir: string) {
    this.file = join(dataDir, API_TOKENS_FILE);
  }

  list(): readonly StoredApiToken[] {
    if (!existsSync(this.file)) return [];
    const st = statSync(this.file);
    // Modification time and size together: two writes within one clock tick still differ in size.
    const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (this.cache?.stamp !== stamp) {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      const tokens = Array.isArray(parsed) ? (parsed as StoredApiToken[]).filter((t) => typeof t?.hash === 'string' && /^[0-9a-f]{64}$/.test(t.hash)) : [];
      this.cache = { stamp, tokens };
    }
    return this.cache.tokens;
  }

  hashes(): readonly string[] {
    return this.list().map((t) => t.hash);
  }

  /** Creates a token and returns it: the only time it is visible. */
  create(name: string, now = new Date()): { token: string; stored: StoredApiToken } {
    const token = `wht_${randomBytes(24).toString('base64url')}`;
    const stored: StoredApiToken = { id: randomUUID(), name, hash: hashApiToken(token), created: now.toISOString() };
    this.write([...this.list(), stored]);
    return { token, stored };
  }

  /** Revokes a token by id or name; returns whether one was removed. */
  revoke(idOrName: string): boolean {
    const before = this.list();
    const after = before.filter((t) => t.id !== idOrName && t.name !== idOrName);
    if (after.length === before.length) return false;
    this.write(after);
    return true;
  }

  private write(tokens: readonly StoredApiToken[]): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
    this.cache = undefined;
  }
}
