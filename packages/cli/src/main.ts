import type { CliIo, Command } from './command';
import { COMMANDS } from './commands/index';

const stdio: CliIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

function help(io: CliIo): void {
  io.out('Usage: windhover <command> [options]\n\nCommands:');
  for (const c of COMMANDS) io.out(`  ${c.usage.padEnd(48)} ${c.summary}`);
}

/** Finds the command whose name words prefix argv the longest. */
export function findCommand(argv: readonly string[], commands: readonly Command[] = COMMANDS): { command: Command; args: readonly string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.name.every((w, i) => argv[i] === w) && (!best || c.name.length > best.name.length)) best = c;
  }
  return best ? { command: best, args: argv.slice(best.name.length) } : undefined;
}

export async function main(argv: readonly string[], io: CliIo = stdio): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    help(io);
    return argv.length === 0 ? 1 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`windhover: unknown command '${argv.join(' ')}'`);
    help(io);
    return 2;
  }
  return found.command.run(found.args, io);
}
