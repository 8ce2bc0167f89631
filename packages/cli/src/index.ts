export { main, findCommand } from './main';
export type { Command, CliIo } from './command';
export { ApiClient, ApiError, API_ENV_NAMES, MANAGED_BY_HEADER, readConnectionArgs } from './api-client';
export type { ApiConnection, FlowSummary, FlowValidation } from './api-client';
