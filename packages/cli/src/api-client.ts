import { WindhoverError } from '@windhover/core';

/** Where and how the CLI talks to a Windhover (or Kestra) API. */
export interface ApiConnection {
  /** Base URL of the server, without `/api/v1` (e.g. `http://localhost:8080`). */
  readonly url: string;
  readonly tenant: string;
  /** `Basic ...` or `Bearer ...`, when the server needs credentials. */
  readonly authorization?: string;
  /** Sent as `X-Windhover-Managed-By` on every request: flows labelled `system.readOnly` may then be changed. */
  readonly managedBy?: string;
}

/** The environment variables the CLI reads for its connection (flags win over them). */
export const API_ENV_NAMES = {
  url: 'WINDHOVER_URL',
  tenant: 'WINDHOVER_TENANT',
  username: 'WINDHOVER_USERNAME',
  /** Older spelling, still read. */
  user: 'WINDHOVER_USER',
  password: 'WINDHOVER_PASSWORD',
  apiToken: 'WINDHOVER_API_TOKEN',
} as const;

/** The request header that lets a deployment tool change read-only flows. */
export const MANAGED_BY_HEADER = 'X-Windhover-Managed-By';

/** A failed API call: carries the HTTP status and the server's own message. */
export class ApiError extends WindhoverError {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly serverMessage: string,
    options?: ErrorOptions,
  ) {
    super('API_ERROR', `${method} ${path} failed with HTTP ${status}: ${serverMessage}`, { ...options, details: { status, method, path } });
  }
}

/** The message of a Kestra error body (`{message, _embedded.errors[]}`), else the raw text. */
export function serverMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; _embedded?: { errors?: { message?: unknown }[] } };
    const details = (body._embedded?.errors ?? []).map((e) => (typeof e.message === 'string' ? e.message : '')).filter((m) => m !== '' && m !== body.message);
    if (typeof body.message === 'string') return details.length > 0 ? `${body.message} (${details.join('; ')})` : body.message;
  } catch {
    // not JSON: fall through to the text
  }
  const t = text.trim();
  if (t !== '') return t.slice(0, 500);
  return status === 401 ? 'unauthorized (check --user/--api-token or WINDHOVER_USERNAME/WINDHOVER_PASSWORD/WINDHOVER_API_TOKEN)' : 'no message';
}

export interface ApiResult {
  readonly status: number;
  readonly text: string;
}

type Body = string | FormData;

/** A small typed client for the parts of Kestra's REST API the CLI uses. Every path is tenant-scoped. */
export class ApiClient {
  constructor(readonly connection: ApiConnection) {}

  /** Raw call: never throws on an HTTP status, only when the server cannot be reached. */
  async raw(method: string, path: string, init: { body?: Body; contentType?: string; headers?: Readonly<Record<string, string>> } = {}): Promise<ApiResult> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (this.connection.authorization) headers['authorization'] = this.connection.authorization;
    if (this.connection.managedBy) headers[MANAGED_BY_HEADER.toLowerCase()] = this.connection.managedBy;
    if (init.contentType) headers['content-type'] = init.contentType;
    const url = `${this.connection.url.replace(/\/+$/, '')}${path}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(init.body !== undefined ? { body: init.body } : {}) });
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
      throw new WindhoverError('API_UNREACHABLE', `cannot reach the Windhover API at ${this.connection.url}: ${cause}`, { cause: e });
    }
    return { status: res.status, text: await res.text() };
  }

  /** Calls and throws an ApiError for any status outside 2xx (and outside `allow`). */
  async call(method: string, path: string, init: { body?: Body; contentType?: string; headers?: Readonly<Record<string, string>>; allow?: readonly number[] } = {}): Promise<ApiResult> {
    const r = await this.raw(method, path, init);
    if ((r.status < 200 || r.status >= 300) && !(init.allow ?? []).includes(r.status)) throw new ApiError(r.status, method, path, serverMessage(r.status, r.text));
    return r;
  }

  private t(tenant?: string): string {
    return `/api/v1/${encodeURIComponent(tenant ?? this.connection.tenant)}`;
  }

  /** `GET /flows/{ns}/{id}?source=true`, or undefined when the flow does not exist. */
  async getFlow(namespace: string, id: string, tenant?: string): Promise<FlowSummary | undefined> {
    const r = await this.call('GET', `${this.t(tenant)}/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}?source=true`, { allow: [404] });
    return r.status === 404 ? undefined : (JSON.parse(r.text) as FlowSummary);
  }

  async createFlow(source: string, tenant?: string): Promise<FlowSummary> {
    return JSON.parse((await this.call('POST', `${this.t(tenant)}/flows`, { body: source, contentType: 'application/x-yaml' })).text) as FlowSummary;
  }

  async updateFlow(namespace: string, id: string, source: string, tenant?: string): Promise<FlowSummary> {
    const path = `${this.t(tenant)}/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}`;
    return JSON.parse((await this.call('PUT', path, { body: source, contentType: 'application/x-yaml' })).text) as FlowSummary;
  }

  async deleteFlow(namespace: string, id: string, tenant?: string): Promise<void> {
    await this.call('DELETE', `${this.t(tenant)}/flows/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}`);
  }

  /** Every flow of one namespace (not its children). */
  async listFlows(namespace: string, tenant?: string): Promise<FlowSummary[]> {
    return JSON.parse((await this.call('GET', `${this.t(tenant)}/flows/${encodeURIComponent(namespace)}`)).text) as FlowSummary[];
  }

  /** `POST /flows/validate` with a multi-document YAML body: one result per document, in order. */
  async validateFlows(sources: readonly string[], tenant?: string): Promise<FlowValidation[]> {
    if (sources.length === 0) return [];
    const body = sources.map((s) => s.replace(/\s+$/, '')).join('\n---\n');
    return JSON.parse((await this.call('POST', `${this.t(tenant)}/flows/validate`, { body, contentType: 'application/x-yaml' })).text) as FlowValidation[];
  }

  /** `GET /namespaces/{ns}/kv/{key}`, or undefined when the key does not exist. */
  async getKv(namespace: string, key: string, tenant?: string): Promise<{ type: string; value: unknown } | undefined> {
    const r = await this.call('GET', `${this.t(tenant)}/namespaces/${encodeURIComponent(namespace)}/kv/${encodeURIComponent(key)}`, { allow: [404] });
    return r.status === 404 ? undefined : (JSON.parse(r.text) as { type: string; value: unknown });
  }

  /** `PUT /namespaces/{ns}/kv/{key}` with Kestra's body: a JSON literal, or an unquoted ISO date/date-time. */
  async putKv(namespace: string, key: string, body: string, options: { ttl?: string; tenant?: string } = {}): Promise<void> {
    await this.call('PUT', `${this.t(options.tenant)}/namespaces/${encodeURIComponent(namespace)}/kv/${encodeURIComponent(key)}`, {
      body,
      contentType: 'application/json',
      ...(options.ttl ? { headers: { ttl: options.ttl } } : {}),
    });
  }

  async deleteKv(namespace: string, key: string, tenant?: string): Promise<void> {
    await this.call('DELETE', `${this.t(tenant)}/namespaces/${encodeURIComponent(namespace)}/kv/${encodeURIComponent(key)}`, { allow: [404] });
  }

  /** The content of a namespace file, or undefined when it does not exist. */
  async getNamespaceFile(namespace: string, path: string, tenant?: string): Promise<string | undefined> {
    const r = await this.call('GET', `${this.t(tenant)}/namespaces/${encodeURIComponent(namespace)}/files?path=${encodeURIComponent(path)}`, { allow: [404] });
    return r.status === 404 ? undefined : r.text;
  }

  /** Uploads a namespace file (multipart `fileContent`, as Kestra's UI and CLI do); parent folders are created. */
  async putNamespaceFile(namespace: string, path: string, content: string, tenant?: string): Promise<void> {
    const form = new FormData();
    form.append('fileContent', new Blob([content]), path.slice(path.lastIndexOf('/') + 1));
    await this.call('POST', `${this.t(tenant)}/namespaces/${encodeURIComponent(namespace)}/files?path=${encodeURIComponent(path)}`, { body: form });
  }

  async deleteNamespaceFile(namespace: string, path: string, tenant?: string): Promise<void> {
    await this.call('DELETE', `${this.t(tenant)}/namespaces/${encodeURIComponent(namespace)}/files?path=${encodeURIComponent(path)}`, { allow: [404] });
  }
}

export interface FlowSummary {
  readonly id: string;
  readonly namespace: string;
  readonly revision?: number;
  readonly source?: string;
  readonly labels?: unknown;
}

/** One result of `POST /flows/validate`. */
export interface FlowValidation {
  readonly index: number;
  readonly flow?: string;
  readonly namespace?: string;
  readonly constraints?: string;
  readonly outdated?: boolean;
  readonly deprecationPaths?: readonly string[];
  readonly warnings?: readonly string[];
}

export interface ConnectionArgs {
  readonly connection: ApiConnection;
  /** The arguments that are not connection flags, in order. */
  readonly rest: string[];
}

/**
 * Reads the connection flags shared by the API commands — `--server URL` (alias `--host`),
 * `--tenant T`, `--user USER:PASSWORD` or `--username U --password P`, `--api-token T`
 * (alias `--token`) — falling back to WINDHOVER_URL, WINDHOVER_TENANT,
 * WINDHOVER_USERNAME/WINDHOVER_PASSWORD and WINDHOVER_API_TOKEN. A token wins over a user.
 * Returns a message for a flag without its value.
 */
export function readConnectionArgs(args: readonly string[], env: Readonly<Record<string, string | undefined>>, managedBy?: string): ConnectionArgs | string {
  let url = env[API_ENV_NAMES.url] ?? 'http://localhost:8080';
  let tenant = env[API_ENV_NAMES.tenant] ?? 'main';
  let username = env[API_ENV_NAMES.username] ?? env[API_ENV_NAMES.user];
  let password = env[API_ENV_NAMES.password];
  let token = env[API_ENV_NAMES.apiToken];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const known = ['--server', '--host', '--tenant', '--user', '--username', '--password', '--api-token', '--token'].includes(flag);
    if (!known) {
      rest.push(a);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') return `${flag} needs a value`;
    if (flag === '--server' || flag === '--host') url = value;
    else if (flag === '--tenant') tenant = value;
    else if (flag === '--user') {
      const c = value.indexOf(':');
      username = c >= 0 ? value.slice(0, c) : value;
      password = c >= 0 ? value.slice(c + 1) : (password ?? '');
    } else if (flag === '--username') username = value;
    else if (flag === '--password') password = value;
    else token = value;
  }
  if (!/^https?:\/\//i.test(url)) return `the server URL must start with http:// or https:// (got '${url}')`;
  const authorization = token ? `Bearer ${token}` : username ? `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` : undefined;
  return { connection: { url, tenant, ...(authorization ? { authorization } : {}), ...(managedBy ? { managedBy } : {}) }, rest };
}
