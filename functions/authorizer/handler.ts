import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { authenticate } from '@windhover/runtime';
import { loadAuthConfig } from '../shared/auth-config';
import { ENV_NAMES } from '../shared/env-names';
import { memoize } from '../shared/aws-app';

const auth = memoize(() => loadAuthConfig(new SecretsManagerClient({}), process.env[ENV_NAMES.AUTH_SECRET_ID]));

/**
 * API Gateway's Lambda authorizer (simple responses): accepts the Basic
 * credentials or an API token (`Authorization: Bearer`) from the auth
 * secret, with the same check as the API itself. API Gateway caches the
 * answer per Authorization header for five minutes.
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<{ principal: string }>> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  if (event.cookies?.length) headers.cookie = event.cookies.join('; ');
  const principal = authenticate(
    { method: event.requestContext.http.method, path: event.rawPath, query: {}, headers, body: new Uint8Array() },
    await auth(),
  );
  return { isAuthorized: principal !== undefined, context: { principal: principal?.id ?? '' } };
}
