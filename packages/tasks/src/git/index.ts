export { SyncFlows } from './sync-flows';
export type { FlowSyncRow, FlowSyncState } from './sync-flows';
export { buildCommitUrl, httpUrlOf } from './commit-url';
export { toIonRows } from './ion-rows';
export { SYNC_STATE_PREFIX } from './sync-state';
export type { SyncStateRecord, ManagedObject } from './sync-state';
export { normalizeFlowSource } from './flow-source';
export { PushFlows } from './push-flows';
export { PushNamespaceFiles } from './push-namespace-files';
