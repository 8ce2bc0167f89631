import type { Command } from '../command';

/** Every command of the CLI. Add a command by adding its module here. */
export const COMMANDS: readonly Command[] = [];
