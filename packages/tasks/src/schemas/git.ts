import type { JsonSchema, PluginDescriptor } from '@windhover/core';
import { anyMap, bool, descriptor, enumOf, int, obj, str, strList, strOrList } from './schema-helpers';

const P = 'io.kestra.plugin.git';

/** Connection and authentication properties of every git task (gitops-spec §1.1). */
const CONNECTION: Record<string, JsonSchema> = {
  url: str('Repository URL (HTTP(S) or SSH)'),
  username: str('HTTP user; also the default commit author name'),
  password: str('HTTP password or personal access token'),
  privateKey: str('PEM content of an SSH private key'),
  passphrase: str('Passphrase of the private key'),
  trustedCaPemPath: str('Path of an extra CA bundle (PEM)'),
  noProxy: bool('Bypass the proxy', false),
  connectTimeout: int('HTTP connect timeout in ms', 10000, 0),
  readTimeout: int('HTTP read timeout in ms', 60000, 0),
  gitConfig: anyMap('git config entries applied after cloning, e.g. core.autocrlf: false'),
  cloneSubmodules: bool('Fetch and initialise submodules'),
};

/** Kestra API access of the v2+ Sync/Push tasks. */
const KESTRA_API: Record<string, JsonSchema> = {
  kestraUrl: str('Kestra API base URL (default: the server URL)'),
  auth: obj(
    {
      username: str('Basic auth user'),
      password: str('Basic auth password'),
      apiToken: str('API token'),
      auto: bool('Use the server-configured credentials', true),
    },
    [],
    'Kestra API authentication',
  ),
};

/** Shared by PushFlows and PushNamespaceFiles (gitops-spec §1.4). */
const PUSH: Record<string, JsonSchema> = {
  branch: str('Branch to push to (created when absent)', 'main'),
  authorName: str('Commit author name (default: username)'),
  authorEmail: str('Commit author email'),
  delete: bool('Remove files of gitDirectory that no longer exist in Kestra', true),
  dryRun: bool('Compute the diff without committing', false),
  maxPushAttempts: int('Windhover: attempts when the branch moved during the push (fetch, regenerate the commit, retry)', 30, 1),
};

const SYNC_MODE = {
  sourceOfTruth: enumOf(['GIT', 'KESTRA'], 'Which side wins', 'KESTRA'),
  whenMissingInSource: enumOf(['DELETE', 'KEEP', 'FAIL'], 'What to do with objects missing from the source', 'DELETE'),
  protectedNamespaces: { ...strList('Namespaces (and their children) never deleted'), default: ['system'] },
  dryRun: bool('Compute the diff only', false),
  onInvalidSyntax: enumOf(['FAIL', 'WARN', 'SKIP'], 'What to do with an invalid flow', 'FAIL'),
  includeKvStore: bool('Windhover: also sync KV entries as <namespace>/kv/<key>.json (backup and restore of the KV store)', false),
  authorName: str('Commit author name (default: username)'),
  authorEmail: str('Commit author email'),
  allowEmpty: bool('Windhover: allow a sync whose source is empty to delete everything in scope', false),
};

export const GIT_DESCRIPTORS: readonly PluginDescriptor[] = [
  descriptor({
    type: `${P}.SyncFlows`,
    kind: 'task',
    category: 'runnable',
    title: 'Sync flows from a Git directory into a namespace',
    properties: {
      ...CONNECTION,
      ...KESTRA_API,
      targetNamespace: str('Namespace receiving the flows'),
      gitDirectory: str('Directory of the flows in the repository', '_flows'),
      includeChildNamespaces: bool('Sub-directories are child namespaces', false),
      branch: str('Branch to read', 'main'),
      delete: bool('Delete flows of the namespace absent from Git', false),
      dryRun: bool('Compute the diff only', false),
      ignoreInvalidFlows: bool('Skip invalid flows instead of failing', false),
      failOnMissingDirectory: bool('Fail when gitDirectory does not exist', true),
      allowEmpty: bool('Windhover: allow a sync whose source is empty to delete everything in scope', false),
    },
    required: ['url', 'targetNamespace'],
  }),
  descriptor({
    type: `${P}.SyncFlow`,
    kind: 'task',
    category: 'runnable',
    title: 'Sync one flow file from Git',
    properties: {
      ...CONNECTION,
      ...KESTRA_API,
      branch: str('Branch to read', 'main'),
      targetNamespace: str('Namespace receiving the flow'),
      flowPath: str('Repository-relative path of the flow file'),
      dryRun: bool('Compute the result only', false),
    },
    required: ['url', 'targetNamespace', 'flowPath'],
  }),
  descriptor({
    type: `${P}.SyncNamespaceFiles`,
    kind: 'task',
    category: 'runnable',
    title: 'Sync namespace files from a Git directory',
    properties: {
      ...CONNECTION,
      ...KESTRA_API,
      namespace: str('Target namespace', '{{ flow.namespace }}'),
      gitDirectory: str('Directory mapped to the namespace root', '_files'),
      branch: str('Branch to read', 'main'),
      delete: bool('Delete namespace files absent from Git', false),
      dryRun: bool('Compute the diff only', false),
      failOnMissingDirectory: bool('Fail when gitDirectory does not exist', true),
      allowEmpty: bool('Windhover: allow a sync whose source is empty to delete everything in scope', false),
    },
    required: ['url'],
  }),
  descriptor({
    type: `${P}.PushFlows`,
    kind: 'task',
    category: 'runnable',
    title: 'Commit and push flows to Git',
    properties: {
      ...CONNECTION,
      ...KESTRA_API,
      ...PUSH,
      sourceNamespace: str('Namespace to export', '{{ flow.namespace }}'),
      targetNamespace: str('Namespace written in the exported YAML (default: source)'),
      flows: strOrList('Glob(s) on flow ids (default: all)'),
      includeChildNamespaces: bool('Also export child namespaces into sub-folders', false),
      gitDirectory: str('Destination directory', '_flows'),
      commitMessage: str('Commit message'),
    },
    required: ['url'],
  }),
  descriptor({
    type: `${P}.PushNamespaceFiles`,
    kind: 'task',
    category: 'runnable',
    title: 'Commit and push namespace files to Git',
    properties: {
      ...CONNECTION,
      ...KESTRA_API,
      ...PUSH,
      namespace: str('Namespace to export', '{{ flow.namespace }}'),
      files: strOrList('Glob(s) on namespace-relative paths (default: all)'),
      gitDirectory: str('Destination directory', '_files'),
      commitMessage: str('Commit message'),
      errorOnMissing: bool('Fail when the globs match nothing', false),
    },
    required: ['url'],
  }),
  descriptor({
    type: `${P}.NamespaceSync`,
    kind: 'task',
    category: 'runnable',
    title: 'Sync the flows and files of one namespace both ways',
    properties: {
      ...CONNECTION,
      ...KESTRA_API,
      ...SYNC_MODE,
      namespace: str('Namespace to sync'),
      branch: str('Branch'),
      gitDirectory: str('Base folder in the repository'),
      commitMessage: str('Commit message', 'Namespace sync from Kestra'),
    },
    required: ['url', 'namespace', 'branch'],
  }),
  descriptor({
    type: `${P}.TenantSync`,
    kind: 'task',
    category: 'runnable',
    title: 'Sync every namespace of the tenant both ways',
    properties: {
      ...CONNECTION,
      ...KESTRA_API,
      ...SYNC_MODE,
      branch: str('Branch'),
      gitDirectory: str('Base folder in the repository'),
      commitMessage: str('Commit message', 'Tenant sync from Kestra'),
    },
    required: ['url', 'branch'],
  }),
  descriptor({
    type: `${P}.Clone`,
    kind: 'task',
    category: 'runnable',
    title: 'Clone a repository into the working directory',
    properties: {
      ...CONNECTION,
      directory: str('Sub-directory to clone into (default: working directory root)'),
      branch: str('Branch (default: remote HEAD)'),
      depth: int('Shallow clone depth', 1, 1),
      commit: str('Commit SHA to check out'),
      tag: str('Tag to check out'),
      cloneAllBranches: bool('Fetch every branch (Windhover defaults to the one branch needed; Kestra fetches all)', false),
      noTags: bool('Do not fetch tags', false),
    },
    required: ['url'],
  }),
];
