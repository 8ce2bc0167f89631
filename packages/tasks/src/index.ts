export * from './git';
export { BUILTIN_DESCRIPTORS, builtinDescriptor, createDescriptorRegistry } from './schemas/index';
export { createTaskRegistry } from './registry';
export {
  CORE_RUNNABLE_TASKS,
  CORE_EXECUTOR_TASKS,
  Log,
  Fetch,
  Return,
  OutputValues,
  Write,
  Delete,
  Size,
  Concat,
  Split,
  PurgeCurrentExecutionFiles,
  Request,
  Download,
  toIon,
} from './core/index';
export { SCRIPT_TASKS, collectFiles, openSharedWorkingDirectory, sharedWorkingDirectoryPath, ProcessTaskRunner, parseProtocolLine, resolveNamespaceFiles, PROCESS_RUNNER, DOCKER_RUNNER } from './scripts/index';
export type { ProcessRunnerOptions, SharedWorkingDirectory } from './scripts/index';
export { KV_TASKS, KvSet, KvGet, KvDelete, KvGetKeys } from './kv/index';
export { NAMESPACE_TASKS, UploadFiles, DownloadFiles, DeleteFiles } from './namespace/index';
