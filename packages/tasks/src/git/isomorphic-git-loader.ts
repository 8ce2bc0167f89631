import { createRequire } from 'node:module';
import type * as IsomorphicGitModule from 'isomorphic-git';
import type { HttpClient } from 'isomorphic-git';

/** isomorphic-git's API (its named exports). */
export type IsomorphicGit = typeof IsomorphicGitModule;

const requireHere = createRequire(import.meta.url);
let loadedGit: IsomorphicGit | undefined;
let loadedHttp: HttpClient | undefined;

/**
 * isomorphic-git (with pako and its other dependencies, about 215 KB of
 * minified code) is required on first use, not when this module loads: a
 * process that never touches a Git repository (most API requests) never
 * parses it. The require is relative to this module, i.e. to the bundle file
 * in a Lambda package, which ships isomorphic-git pre-bundled in
 * node_modules beside it (LAZY_MODULES in lib/windhover-function.ts);
 * unbundled (tsx, vitest) it is the package's own CommonJS entry.
 */
function loadGit(): IsomorphicGit {
  loadedGit ??= requireHere('isomorphic-git') as IsomorphicGit;
  return loadedGit;
}

/** isomorphic-git's Node HTTP client (`isomorphic-git/http/node`), required on first use like isomorphic-git. */
export function isomorphicGitHttp(): HttpClient {
  if (!loadedHttp) {
    const mod = requireHere('isomorphic-git/http/node') as HttpClient | { default: HttpClient };
    loadedHttp = 'default' in mod ? mod.default : mod;
  }
  return loadedHttp;
}

/**
 * isomorphic-git's functions, loaded on first property access: `git.readTree(...)`
 * reads like the static import it replaces. Its functions do not use `this`.
 */
export const git: IsomorphicGit = new Proxy({} as IsomorphicGit, {
  get: (_target, property) => Reflect.get(loadGit(), property),
  has: (_target, property) => Reflect.has(loadGit(), property),
});

