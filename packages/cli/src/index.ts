export { main, findCommand } from './main';
export type { Command, CliIo } from './command';
