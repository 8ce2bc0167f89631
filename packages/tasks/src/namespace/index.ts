export { NAMESPACE_TASKS, UploadFiles, DownloadFiles, DeleteFiles } from './namespace-tasks';
