import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Beyond Kestra: an optional signature check so that Git hosts can call a
 * webhook safely, configured on the trigger:
 * `signature: {type: GITHUB | GITLAB | BITBUCKET | HMAC_SHA256, secret: "{{ secret('X') }}", header: ...}`.
 */
export type SignatureType = 'GITHUB' | 'GITLAB' | 'BITBUCKET' | 'HMAC_SHA256';

export interface SignatureSpec {
  readonly type: SignatureType;
  /** Already rendered. */
  readonly secret: string;
  /** Lower-cased header name; defaults by type. */
  readonly header?: string;
}

const DEFAULT_HEADER: Readonly<Record<SignatureType, string>> = {
  GITHUB: 'x-hub-signature-256',
  GITLAB: 'x-gitlab-token',
  BITBUCKET: 'x-hub-signature',
  HMAC_SHA256: 'x-signature-256',
};

export const SIGNATURE_TYPES = Object.keys(DEFAULT_HEADER) as readonly SignatureType[];

/** Constant-time equality of two strings (also when their lengths differ). */
export function constantTimeEquals(a: string, b: string): boolean {
  const ka = createHmac('sha256', 'windhover-compare').update(a).digest();
  const kb = createHmac('sha256', 'windhover-compare').update(b).digest();
  return timingSafeEqual(ka, kb);
}

/**
 * Verifies a request signature. GitHub, Bitbucket and HMAC_SHA256 send
 * `sha256=<hex HMAC-SHA256 of the raw body>` (HMAC_SHA256 also accepts the
 * bare hex); GitLab sends the secret itself in `X-Gitlab-Token`.
 */
export function verifySignature(spec: SignatureSpec, headers: Readonly<Record<string, string>>, body: Uint8Array): boolean {
  const header = (spec.header ?? DEFAULT_HEADER[spec.type]).toLowerCase();
  const received = headers[header];
  if (received === undefined || received === '' || spec.secret === '') return false;
  if (spec.type === 'GITLAB') return constantTimeEquals(received, spec.secret);
  const expected = createHmac('sha256', spec.secret).update(body).digest('hex');
  const value = received.trim();
  const hex = value.toLowerCase().startsWith('sha256=') ? value.slice('sha256='.length) : spec.type === 'HMAC_SHA256' ? value : '';
  return constantTimeEquals(hex.toLowerCase(), expected);
}
