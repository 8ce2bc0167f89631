import type { PluginDescriptor } from '@windhover/core';
import { GIT_DESCRIPTORS } from '../schemas/git';

const byName = (name: string): Omit<PluginDescriptor, 'kind'> => {
  const d = GIT_DESCRIPTORS.find((x) => x.type === `io.kestra.plugin.git.${name}`);
  if (!d) throw new Error(`no schema for io.kestra.plugin.git.${name}`);
  return d;
};

/**
 * The io.kestra.plugin.git task schemas (schemas/git.ts), with Kestra's defaults.
 * Windhover additions: `allowEmpty` on sync tasks (an empty source never prunes
 * unless allowed) and `maxPushAttempts` on push tasks.
 */
export const GIT_TASK_SCHEMAS = {
  SyncFlows: byName('SyncFlows'),
  SyncFlow: byName('SyncFlow'),
  SyncNamespaceFiles: byName('SyncNamespaceFiles'),
  PushFlows: byName('PushFlows'),
  PushNamespaceFiles: byName('PushNamespaceFiles'),
  NamespaceSync: byName('NamespaceSync'),
  TenantSync: byName('TenantSync'),
  Clone: byName('Clone'),
} as const;
