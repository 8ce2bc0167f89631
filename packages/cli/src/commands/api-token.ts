import { DEFAULT_DATA_DIR, LocalApiTokens, readLocalEnv } from '@windhover/local';
import type { Command } from '../command';

const USAGE = 'server api-token create --name NAME | list | revoke ID [--data-dir DIR]';

/** `windhover server api-token`: Bearer tokens for the local edition, stored hashed in its data folder. */
export const API_TOKEN_COMMAND: Command = {
  name: ['server', 'api-token'],
  summary: 'Create, list or revoke API tokens (Authorization: Bearer) of the local edition',
  usage: USAGE,
  async run(args, io) {
    let dataDir = readLocalEnv().dataDir ?? DEFAULT_DATA_DIR;
    let name: string | undefined;
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '--data-dir' || a === '--data') dataDir = args[++i] ?? dataDir;
      else if (a === '--name') name = args[++i];
      else rest.push(a);
    }
    const tokens = new LocalApiTokens(dataDir);
    const [action, target] = rest;
    if (action === 'create' && name) {
      const { token, stored } = tokens.create(name);
      io.out(`Created API token '${stored.name}' (${stored.id}). It is shown only now:`);
      io.out(token);
      io.out('Use it as: Authorization: Bearer <token>');
      return 0;
    }
    if (action === 'list') {
      for (const t of tokens.list()) io.out(`${t.id}  ${t.name}  created ${t.created}`);
      return 0;
    }
    if (action === 'revoke' && target) {
      if (tokens.revoke(target)) {
        io.out(`Revoked ${target}`);
        return 0;
      }
      io.err(`No API token '${target}'`);
      return 1;
    }
    io.err(`Usage: windhover ${USAGE}`);
    return 2;
  },
};
