import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AuthConfig } from '@windhover/runtime';

/**
 * The API credentials from their Secrets Manager secret:
 * `{"username": "...", "password": "...", "apiTokenHashes": ["<sha256 hex>", ...]}`.
 * Read once per cold start; rotate by updating the secret (functions pick it up on their next cold start).
 */
export async function loadAuthConfig(client: SecretsManagerClient, secretId: string | undefined): Promise<AuthConfig> {
  if (!secretId) return {};
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const parsed = JSON.parse(out.SecretString ?? '{}') as { username?: unknown; password?: unknown; apiTokenHashes?: unknown };
  const hashes = Array.isArray(parsed.apiTokenHashes) ? parsed.apiTokenHashes.filter((h): h is string => typeof h === 'string') : [];
  return {
    ...(typeof parsed.username === 'string' && typeof parsed.password === 'string'
      ? { basic: { username: parsed.username, password: parsed.password } }
      : {}),
    ...(hashes.length ? { apiTokenHashes: hashes } : {}),
  };
}
