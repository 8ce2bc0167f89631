import type { Command } from '../command';
import { APPLY_COMMAND } from './apply';
import { FLOW_DEPLOY_COMMAND } from './flow-deploy';
import { FLOW_VALIDATE_COMMAND } from './flow-validate';
import { RENDER_COMMAND } from './render';
import { SCHEMA_COMMAND } from './schema';
import { SERVER_LOCAL_COMMAND } from './server';
import { API_TOKEN_COMMAND } from './api-token';

/** Every command of the CLI. Add a command by adding its module here. */
export const COMMANDS: readonly Command[] = [RENDER_COMMAND, SERVER_LOCAL_COMMAND, API_TOKEN_COMMAND, FLOW_VALIDATE_COMMAND, SCHEMA_COMMAND, APPLY_COMMAND, FLOW_DEPLOY_COMMAND];
