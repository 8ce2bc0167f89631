import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BasicCredentials } from '@windhover/runtime';

export const DEFAULT_USERNAME = 'admin@kestra.io';
export const CREDENTIALS_FILE = 'credentials.json';

export interface ResolvedCredentials {
  readonly credentials: BasicCredentials;
  /** Where they came from: the environment, the data folder, or generated now (and stored there). */
  readonly source: 'environment' | 'data-dir' | 'generated';
  readonly file?: string;
}

/**
 * Basic-auth credentials of the local edition: WINDHOVER_USERNAME and
 * WINDHOVER_PASSWORD when set; otherwise the ones stored in the data folder;
 * otherwise a random password generated now and stored there (mode 0600).
 * There is no fixed default password.
 */
export function resolveLocalCredentials(dataDir: string, env: { username?: string; password?: string }): ResolvedCredentials {
  if (env.password) return { credentials: { username: env.username ?? DEFAULT_USERNAME, password: env.password }, source: 'environment' };
  const file = join(dataDir, CREDENTIALS_FILE);
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<BasicCredentials>;
    if (typeof stored.username === 'string' && typeof stored.password === 'string' && stored.password.length > 0) {
      return { credentials: { username: env.username ?? stored.username, password: stored.password }, source: 'data-dir', file };
    }
  }
  mkdirSync(dataDir, { recursive: true });
  const credentials = { username: env.username ?? DEFAULT_USERNAME, password: randomBytes(18).toString('base64url') };
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { credentials, source: 'generated', file };
}
