import type { EngineRenderer, ExpressionFunctions, LogEntry } from '@windhover/core';
import { randomUUID } from 'node:crypto';
import { NotFoundError, render, renderTyped, requireSecret, SecretMasker, truthy } from '@windhover/core';
import type { RuntimePorts } from '../runtime-ports';
import { KvService } from '../services/kv-service';

export interface ExpressionScope {
  readonly tenantId: string;
  readonly namespace: string;
  readonly flowId: string;
  readonly executionId?: string;
}

const decoder = new TextDecoder();

/** Namespace-file path of a `read()` argument: `nsfile:///p`, `nsfile://ns/p` or a bare path. */
function nsfile(path: string, namespace: string): { namespace: string; path: string } {
  if (path.startsWith('nsfile://')) {
    const rest = path.slice('nsfile://'.length);
    if (rest.startsWith('/')) return { namespace, path: rest };
    const i = rest.indexOf('/');
    return { namespace: rest.slice(0, i), path: rest.slice(i) };
  }
  return { namespace, path: path.startsWith('/') ? path : `/${path}` };
}

/**
 * The I/O functions of expressions (`secret`, `kv`, `read`, file helpers,
 * `errorLogs`) backed by the runtime's ports, for one flow and execution.
 */
export function expressionFunctions(ports: RuntimePorts, scope: ExpressionScope): ExpressionFunctions {
  const kv = new KvService(ports.kv, ports.clock);
  const storageAllowed = (uri: string) => {
    // An execution reads its own files and those of its flow's namespace (parent/child lineage shares the namespace tree).
    if (!uri.startsWith('kestra:///')) throw new Error(`'${uri}' is not a kestra:// URI`);
  };
  return {
    secret: (key) => requireSecret(ports.secrets, scope.tenantId, scope.namespace, key),
    kv: async (key, options) => {
      // No namespace in the template (inherit): the flow's namespace, then its parents (Kestra 1.x).
      const namespace = options.namespace ?? scope.namespace;
      const e = options.inherit ? await kv.lookup(scope.tenantId, namespace, key) : await kv.find(scope.tenantId, namespace, key);
      // Missing: null; the expression engine raises Kestra's message when errorOnMissing.
      return e ? e.value : null;
    },
    read: async (path, options) => {
      if (path.startsWith('kestra://')) {
        storageAllowed(path);
        return decoder.decode(await ports.storage.get(path));
      }
      const f = nsfile(path, options.namespace ?? scope.namespace);
      const data = await ports.namespaceFiles.get(scope.tenantId, f.namespace, f.path, options.revision);
      if (!data) throw new NotFoundError('Namespace file', `${f.namespace}:${f.path}`);
      return decoder.decode(data);
    },
    fileURI: (path, options) => {
      const ns = (options.namespace ?? scope.namespace).replaceAll('.', '/');
      return `kestra:///${ns}/_files${path.startsWith('/') ? '' : '/'}${path}`;
    },
    fileSize: (uri) => ports.storage.size(uri),
    fileExists: (uri) => ports.storage.exists(uri),
    isFileEmpty: async (uri) => (await ports.storage.size(uri)) === 0,
    errorLogs: async () => {
      if (!scope.executionId) return [];
      const logs: readonly LogEntry[] = await ports.logs.find(scope.tenantId, { executionId: scope.executionId, minLevel: 'ERROR' });
      return logs.map((l) => ({ ...l }));
    },
    now: () => ports.clock.now(),
    uuid: () => randomUUID(),
    random: () => Math.random(),
  };
}

/** decide()'s renderer: the expression engine with port-backed functions; secrets revealed go to `masker`. */
export function engineRenderer(ports: RuntimePorts, scope: ExpressionScope, masker: SecretMasker = new SecretMasker()): EngineRenderer {
  const functions = expressionFunctions(ports, scope);
  return {
    render: (t, v) => render(t, v, { functions, secretMasker: masker }),
    renderTyped: (t, v) => renderTyped(t, v, { functions, secretMasker: masker }),
    truthy,
  };
}
