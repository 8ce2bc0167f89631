/**
 * The one HTTP handler both editions share: API Gateway events and node:http
 * requests are both adapted to ApiRequest, and ApiResponse back.
 */
export interface ApiRequest {
  readonly method: string;
  /** Path without query string, e.g. `/api/v1/main/flows/company.team/hello`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly sourceIp?: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string or bytes is sent as is; anything else is sent as JSON. */
  readonly body?: unknown;
  /**
   * A long answer sent chunk by chunk as it is produced (server-sent
   * events). Takes the place of `body`. The local server streams it; an
   * edition that cannot stream (API Gateway) sends what arrived within its
   * time budget, then stops the iterable.
   */
  readonly stream?: AsyncIterable<string>;
}

/** Path parameters from `:name` segments of a route pattern. */
export type PathParams = Readonly<Record<string, string>>;

export interface RouteContext {
  readonly request: ApiRequest;
  readonly params: PathParams;
  /** The authenticated principal, absent on unauthenticated routes. */
  readonly principal?: { readonly id: string };
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Pattern with `:param` segments and an optional trailing `*path` wildcard. */
  readonly path: string;
  /** Webhooks (key-checked) and health are the only unauthenticated routes. */
  readonly auth?: 'required' | 'none';
  handle(ctx: RouteContext): Promise<ApiResponse>;
}
