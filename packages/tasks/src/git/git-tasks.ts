import type { RunnableTaskPlugin } from '@windhover/core';
import { Clone } from './clone';
import { NamespaceSync } from './namespace-sync';
import { PushFlows } from './push-flows';
import { PushNamespaceFiles } from './push-namespace-files';
import { SyncFlow } from './sync-flow';
import { SyncFlows } from './sync-flows';
import { SyncNamespaceFiles } from './sync-namespace-files';
import { TenantSync } from './tenant-sync';

/** Every io.kestra.plugin.git task Windhover runs. */
export const GIT_TASKS: readonly RunnableTaskPlugin[] = [SyncFlows, SyncFlow, SyncNamespaceFiles, PushFlows, PushNamespaceFiles, NamespaceSync, TenantSync, Clone];
