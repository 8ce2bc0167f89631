import { BadRequestError } from '@windhover/core';
import type { PathParams, Route } from './http-types';

type Segment = { readonly kind: 'static'; readonly value: string } | { readonly kind: 'param'; readonly name: string } | { readonly kind: 'wildcard'; readonly name: string };

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly Segment[];
  /** Static segments rank before parameters, parameters before a wildcard. */
  readonly rank: string;
}

export type RouteMatch =
  | { readonly kind: 'match'; readonly route: Route; readonly params: PathParams }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

function compile(route: Route): CompiledRoute {
  if (!route.path.startsWith('/')) throw new Error(`route path must start with '/': ${route.path}`);
  const parts = route.path.split('/').slice(1);
  const segments = parts.map((p, i): Segment => {
    if (p.startsWith(':')) return { kind: 'param', name: p.slice(1) };
    if (p.startsWith('*')) {
      if (i !== parts.length - 1) throw new Error(`wildcard must be the last segment: ${route.path}`);
      return { kind: 'wildcard', name: p.slice(1) || 'path' };
    }
    return { kind: 'static', value: p };
  });
  const rank = segments.map((s) => (s.kind === 'static' ? '0' : s.kind === 'param' ? '1' : '2')).join('');
  return { route, segments, rank };
}

/** Splits a raw path into decoded segments; `%2F` inside a segment stays part of it. */
export function splitPath(path: string): string[] {
  const raw = path.split('/').slice(1);
  try {
    return raw.map((s) => decodeURIComponent(s));
  } catch (e) {
    throw new BadRequestError(`malformed path '${path}'`, { cause: e });
  }
}

/**
 * One route table, matched segment by segment: a route matches only when
 * every segment matches, never by prefix or suffix. A static segment wins
 * over a parameter at the same position (`/flows/search` before `/flows/:namespace`).
 */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.routes = routes.map(compile).sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
    const seen = new Set<string>();
    for (const r of this.routes) {
      const key = `${r.route.method} ${r.segments.map((s) => (s.kind === 'static' ? s.value : s.kind === 'param' ? ':' : '*')).join('/')}`;
      if (seen.has(key)) throw new Error(`duplicate route ${r.route.method} ${r.route.path}`);
      seen.add(key);
    }
  }

  match(method: string, path: string): RouteMatch {
    const segments = splitPath(path);
    const allowed = new Set<string>();
    const wanted = method === 'HEAD' ? 'GET' : method;
    for (const r of this.routes) {
      const params = matchSegments(r.segments, segments);
      if (!params) continue;
      if (r.route.method === wanted) return { kind: 'match', route: r.route, params };
      allowed.add(r.route.method);
    }
    return allowed.size > 0 ? { kind: 'method-not-allowed', allowed: [...allowed] } : { kind: 'not-found' };
  }
}

function matchSegments(pattern: readonly Segment[], segments: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.kind === 'wildcard') {
      const rest = segments.slice(i);
      if (rest.length === 0 || rest.some((s) => s === '')) return undefined;
      params[p.name] = rest.join('/');
      return params;
    }
    const s = segments[i];
    if (s === undefined) return undefined;
    if (p.kind === 'static') {
      if (s !== p.value) return undefined;
    } else {
      if (s === '') return undefined;
      params[p.name] = s;
    }
  }
  return pattern.length === segments.length ? params : undefined;
}
