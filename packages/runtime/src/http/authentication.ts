import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiRequest } from './http-types';

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** Who may call the API: one Basic-auth user and any number of API tokens, kept as SHA-256 hashes. */
export interface AuthConfig {
  readonly basic?: BasicCredentials;
  /** Hex SHA-256 of each accepted `Authorization: Bearer` token; tokens themselves are never stored. */
  readonly apiTokenHashes?: readonly string[];
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Hex SHA-256 of an API token, the form in which tokens are configured and stored. */
export const hashApiToken = (token: string): string => sha256(token).toString('hex');

/** Compares digests, so neither the length nor the content of a secret leaks through timing. */
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(sha256(a), sha256(b));

function cookie(req: ApiRequest, name: string): string | undefined {
  for (const part of (req.headers['cookie'] ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/**
 * The principal of a request, or undefined. Accepts `Authorization: Basic`,
 * Kestra's `BASIC_AUTH` cookie (the same base64 credentials), and `Authorization: Bearer <token>`.
 */
export function authenticate(req: ApiRequest, config: AuthConfig): { readonly id: string } | undefined {
  const header = req.headers['authorization'] ?? '';
  const [scheme, value] = [header.slice(0, header.indexOf(' ')).toLowerCase(), header.slice(header.indexOf(' ') + 1).trim()];
  let basic: string | undefined;
  if (scheme === 'basic') basic = value;
  else if (!header) basic = cookie(req, 'BASIC_AUTH');
  if (basic !== undefined && config.basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return undefined;
    const user = decoded.slice(0, i);
    const password = decoded.slice(i + 1);
    // Evaluate both comparisons: no early exit that tells a wrong user from a wrong password.
    const okUser = sameSecret(user, config.basic.username);
    const okPassword = sameSecret(password, config.basic.password);
    return okUser && okPassword ? { id: config.basic.username } : undefined;
  }
  if (scheme === 'bearer' && value && config.apiTokenHashes?.length) {
    const hash = sha256(value);
    for (const expected of config.apiTokenHashes) {
      const e = Buffer.from(expected, 'hex');
      if (e.length === hash.length && timingSafeEqual(e, hash)) return { id: `token:${expected.slice(0, 8)}` };
    }
  }
  return undefined;
}
