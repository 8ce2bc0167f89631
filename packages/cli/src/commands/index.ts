import type { Command } from '../command';
import { RENDER_COMMAND } from './render';

/** Every command of the CLI. Add a command by adding its module here. */
export const COMMANDS: readonly Command[] = [RENDER_COMMAND];
