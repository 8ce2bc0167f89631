import type { JsonSchema, PluginDescriptor } from '@windhover/core';

const str = { type: 'string' } as const;
const bool = { anyOf: [{ type: 'boolean' }, { type: 'string' }] } as const;
const int = { anyOf: [{ type: 'integer' }, { type: 'string' }] } as const;
const strOrList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } as const;
const d = (schema: object, def: unknown) => ({ ...schema, default: def });

/** Connection properties of every Git task (gitops-spec §1.1). */
const connection = {
  url: str,
  username: str,
  password: str,
  privateKey: str,
  passphrase: str,
  trustedCaPemPath: str,
  noProxy: d(bool, false),
  connectTimeout: d(int, 10000),
  readTimeout: d(int, 60000),
  gitConfig: { type: 'object' },
  cloneSubmodules: bool,
  kestraUrl: str,
  auth: { type: 'object', properties: { username: str, password: str, apiToken: str, auto: bool }, additionalProperties: false },
};

const push = {
  commitMessage: str,
  authorName: str,
  authorEmail: str,
  delete: d(bool, true),
  dryRun: d(bool, false),
};

function schema(properties: Record<string, unknown>, required: readonly string[]): JsonSchema {
  return { type: 'object', properties: { ...connection, ...properties }, required, additionalProperties: false };
}

function task(name: string, title: string, properties: Record<string, unknown>, required: readonly string[]): Omit<PluginDescriptor, 'kind'> {
  return { type: `io.kestra.plugin.git.${name}`, title, category: 'runnable', schema: schema(properties, required) };
}

/**
 * Schemas of the io.kestra.plugin.git tasks, with Kestra's defaults. Windhover
 * additions: `allowEmpty` on sync tasks (an empty source never prunes unless
 * allowed) and `maxPushAttempts` on push tasks.
 */
export const GIT_TASK_SCHEMAS = {
  SyncFlows: task(
    'SyncFlows',
    'Sync flows from a Git branch into a namespace (Git is the source of truth).',
    {
      branch: d(str, 'main'),
      targetNamespace: str,
      gitDirectory: d(str, '_flows'),
      includeChildNamespaces: d(bool, false),
      delete: d(bool, false),
      dryRun: d(bool, false),
      ignoreInvalidFlows: d(bool, false),
      failOnMissingDirectory: d(bool, true),
      allowEmpty: d(bool, false),
    },
    ['url', 'targetNamespace'],
  ),
  SyncFlow: task(
    'SyncFlow',
    'Sync one flow file from Git.',
    { branch: d(str, 'main'), targetNamespace: str, flowPath: str, dryRun: d(bool, false) },
    ['url', 'targetNamespace', 'flowPath'],
  ),
  SyncNamespaceFiles: task(
    'SyncNamespaceFiles',
    'Sync namespace files from a Git branch.',
    {
      branch: d(str, 'main'),
      namespace: d(str, '{{ flow.namespace }}'),
      gitDirectory: d(str, '_files'),
      delete: d(bool, false),
      dryRun: d(bool, false),
      failOnMissingDirectory: d(bool, true),
      allowEmpty: d(bool, false),
    },
    ['url'],
  ),
  PushFlows: task(
    'PushFlows',
    'Commit and push flows of a namespace to Git.',
    {
      ...push,
      branch: d(str, 'main'),
      sourceNamespace: d(str, '{{ flow.namespace }}'),
      targetNamespace: str,
      flows: strOrList,
      includeChildNamespaces: d(bool, false),
      gitDirectory: d(str, '_flows'),
      maxPushAttempts: d(int, 30),
    },
    ['url'],
  ),
  PushNamespaceFiles: task(
    'PushNamespaceFiles',
    'Commit and push namespace files to Git.',
    {
      ...push,
      branch: d(str, 'main'),
      namespace: d(str, '{{ flow.namespace }}'),
      files: strOrList,
      gitDirectory: d(str, '_files'),
      errorOnMissing: d(bool, false),
      maxPushAttempts: d(int, 30),
    },
    ['url'],
  ),
  NamespaceSync: task(
    'NamespaceSync',
    'Two-way sync of one namespace (flows and files) with Git.',
    {
      namespace: str,
      branch: str,
      gitDirectory: str,
      sourceOfTruth: d({ enum: ['GIT', 'KESTRA'] }, 'KESTRA'),
      whenMissingInSource: d({ enum: ['DELETE', 'KEEP', 'FAIL'] }, 'DELETE'),
      protectedNamespaces: d({ type: 'array', items: str }, ['system']),
      dryRun: d(bool, false),
      onInvalidSyntax: d({ enum: ['FAIL', 'WARN', 'SKIP'] }, 'FAIL'),
      commitMessage: d(str, 'Namespace sync from Kestra'),
      authorName: str,
      authorEmail: str,
      allowEmpty: d(bool, false),
    },
    ['url', 'namespace', 'branch'],
  ),
  TenantSync: task(
    'TenantSync',
    'Two-way sync of every namespace of the tenant with Git.',
    {
      branch: str,
      gitDirectory: str,
      sourceOfTruth: d({ enum: ['GIT', 'KESTRA'] }, 'KESTRA'),
      whenMissingInSource: d({ enum: ['DELETE', 'KEEP', 'FAIL'] }, 'DELETE'),
      protectedNamespaces: d({ type: 'array', items: str }, ['system']),
      dryRun: d(bool, false),
      onInvalidSyntax: d({ enum: ['FAIL', 'WARN', 'SKIP'] }, 'FAIL'),
      commitMessage: d(str, 'Tenant sync from Kestra'),
      authorName: str,
      authorEmail: str,
      allowEmpty: d(bool, false),
    },
    ['url', 'branch'],
  ),
  Clone: task(
    'Clone',
    'Clone a Git repository into the working directory.',
    {
      directory: str,
      branch: str,
      depth: d(int, 1),
      commit: str,
      tag: str,
      cloneAllBranches: d(bool, false),
      noTags: d(bool, false),
    },
    ['url'],
  ),
} as const;
