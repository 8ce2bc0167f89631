export { KV_TASKS, KvSet, KvGet, KvDelete, KvGetKeys } from './kv-tasks';
