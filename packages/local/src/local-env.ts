/** Environment variables of the local edition (read once by the CLI). */
export const ENV_NAMES = {
  dataDir: 'WINDHOVER_DATA_DIR',
  username: 'WINDHOVER_USERNAME',
  password: 'WINDHOVER_PASSWORD',
  /** Comma-separated hex SHA-256 hashes of accepted API tokens. */
  apiTokenHashes: 'WINDHOVER_API_TOKEN_HASHES',
  url: 'WINDHOVER_URL',
  /** A JSON secrets file (see EnvSecretStore). */
  secretsFile: 'WINDHOVER_SECRETS_FILE',
} as const;

export interface LocalEnv {
  readonly dataDir?: string;
  readonly username?: string;
  readonly password?: string;
  readonly apiTokenHashes?: readonly string[];
  readonly url?: string;
  /** `SECRET_<KEY>` variables (base64 values, Kestra OSS's convention). */
  readonly secretVariables?: Readonly<Record<string, string>>;
  readonly secretsFile?: string;
}

export function readLocalEnv(env: NodeJS.ProcessEnv = process.env): LocalEnv {
  const pick = (k: string): string | undefined => (env[k] && env[k] !== '' ? env[k] : undefined);
  const hashes = pick(ENV_NAMES.apiTokenHashes)
    ?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => /^[0-9a-f]{64}$/.test(s));
  return {
    ...(pick(ENV_NAMES.dataDir) ? { dataDir: pick(ENV_NAMES.dataDir) } : {}),
    ...(pick(ENV_NAMES.username) ? { username: pick(ENV_NAMES.username) } : {}),
    ...(pick(ENV_NAMES.password) ? { password: pick(ENV_NAMES.password) } : {}),
    ...(hashes && hashes.length > 0 ? { apiTokenHashes: hashes } : {}),
    ...(pick(ENV_NAMES.url) ? { url: pick(ENV_NAMES.url) } : {}),
    secretVariables: Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('SECRET_') && typeof e[1] === 'string'),
    ),
    ...(pick(ENV_NAMES.secretsFile) ? { secretsFile: pick(ENV_NAMES.secretsFile) } : {}),
  };
}
