import type { TaskProperties } from './task-properties';

/** How to reach a repository, with credentials kept apart from the URL. */
export interface GitConnection {
  /** The URL without embedded credentials. */
  readonly url: string;
  readonly ssh: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly privateKey?: string;
  readonly passphrase?: string;
  readonly connectTimeout: number;
  readonly readTimeout: number;
  readonly gitConfig?: Readonly<Record<string, unknown>>;
}

export function isSshUrl(url: string): boolean {
  return /^ssh:\/\//i.test(url) || (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && /^[\w.-]+@[\w.-]+:/.test(url));
}

/**
 * Reads `url`, `username`, `password`, `privateKey`, `passphrase`, timeouts and
 * `gitConfig`. Credentials embedded in an https URL are moved out of it.
 * A password (token) without a username is sent with the username `x-access-token`,
 * which GitHub, GitLab (any name) and Gitea accept for tokens.
 */
export async function readConnection(p: TaskProperties): Promise<GitConnection> {
  const raw = (await p.required('url')).trim();
  let url = raw;
  let username = await p.string('username');
  let password = await p.string('password');
  if (/^https?:\/\//i.test(raw)) {
    const parsed = new URL(raw);
    if (parsed.username || parsed.password) {
      username ??= decodeURIComponent(parsed.username) || undefined;
      password ??= decodeURIComponent(parsed.password) || undefined;
      parsed.username = '';
      parsed.password = '';
      url = parsed.toString();
    }
  }
  if (password && !username) username = 'x-access-token';
  return {
    url,
    ssh: isSshUrl(url),
    username: username || undefined,
    password: password || undefined,
    privateKey: await p.string('privateKey'),
    passphrase: await p.string('passphrase'),
    connectTimeout: await p.int('connectTimeout', 10_000),
    readTimeout: await p.int('readTimeout', 60_000),
    gitConfig: await p.map('gitConfig'),
  };
}

/** Removes every credential of the connection from a message (errors, logs). */
export function scrub(message: string, conn: GitConnection): string {
  let out = message;
  for (const secret of [conn.password, conn.privateKey, conn.passphrase]) {
    if (secret && secret.length >= 3) out = out.split(secret).join('****');
  }
  return out.replace(/(https?:\/\/)[^/@\s]+@/gi, '$1');
}
