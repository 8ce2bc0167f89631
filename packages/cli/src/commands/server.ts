import { ConsoleJsonLogger, DEFAULT_DATA_DIR, DEFAULT_PORT, type LocalServer, readLocalEnv, startLocal } from '@windhover/local';
import { createCoreFlowValidator } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';
import type { CliIo, Command } from '../command';

const USAGE = 'server local [--port 8080] [--host 127.0.0.1] [--data-dir DIR] [--flows DIR]';
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

interface ServerArgs {
  port: number;
  host?: string;
  dataDir?: string;
  flowsDir?: string;
}

export function parseServerArgs(args: readonly string[]): ServerArgs | { error: string } {
  const out: ServerArgs = { port: DEFAULT_PORT };
  for (let i = 0; i < args.length; i++) {
    const raw = args[i] as string;
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const value = (): string | undefined => (raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : args[++i]);
    switch (flag) {
      case '--port':
      case '-p': {
        const v = value();
        const n = Number(v);
        if (!v || !Number.isInteger(n) || n < 0 || n > 65535) return { error: `--port needs a port number, got '${v ?? ''}'` };
        out.port = n;
        break;
      }
      case '--host':
        out.host = value();
        if (!out.host) return { error: '--host needs an address' };
        break;
      case '--data-dir':
      case '--data':
        out.dataDir = value();
        if (!out.dataDir) return { error: `${flag} needs a folder` };
        break;
      case '--flows':
        out.flowsDir = value();
        if (!out.flowsDir) return { error: '--flows needs a folder' };
        break;
      default:
        return { error: `unknown option '${raw}'` };
    }
  }
  return out;
}

function printBanner(io: CliIo, server: LocalServer): void {
  const { credentials } = server;
  io.out(`Windhover is running at ${server.url} (data in ${server.dataDir})`);
  if (credentials.source === 'generated') {
    io.out(`Basic auth: username ${credentials.credentials.username}`);
    io.out(`            password ${credentials.credentials.password}`);
    io.out(`This password was generated now and is shown once; it is kept in ${credentials.file}.`);
    io.out('Set WINDHOVER_USERNAME and WINDHOVER_PASSWORD to choose your own.');
  } else if (credentials.source === 'data-dir') {
    io.out(`Basic auth: username ${credentials.credentials.username}, password in ${credentials.file}`);
  } else {
    io.out(`Basic auth: username ${credentials.credentials.username}, password from WINDHOVER_PASSWORD`);
  }
}

/** `windhover server local`: the whole product in one process (API, executor, worker, scheduler). */
export const SERVER_LOCAL_COMMAND: Command = {
  name: ['server', 'local'],
  summary: 'Start the local edition (SQLite + folder storage) on http://localhost:8080',
  usage: USAGE,
  async run(args, io) {
    const parsed = parseServerArgs(args);
    if ('error' in parsed) {
      io.err(`windhover server local: ${parsed.error}\nUsage: windhover ${USAGE}`);
      return 2;
    }
    const env = readLocalEnv();
    const levelEnv = process.env['WINDHOVER_LOG_LEVEL']?.toLowerCase();
    const level: LogLevel = (LOG_LEVELS as readonly string[]).includes(levelEnv ?? '') ? (levelEnv as LogLevel) : 'info';
    const registry = createTaskRegistry();
    let server: LocalServer;
    try {
      server = await startLocal({
        dataDir: parsed.dataDir ?? env.dataDir ?? DEFAULT_DATA_DIR,
        port: parsed.port,
        ...(parsed.host ? { host: parsed.host } : {}),
        ...(parsed.flowsDir ? { flowsDir: parsed.flowsDir } : {}),
        env,
        logger: new ConsoleJsonLogger({ level }),
        registry,
        validator: createCoreFlowValidator(registry),
      });
    } catch (e) {
      io.err(`windhover server local: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    printBanner(io, server);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    io.out('Stopping Windhover...');
    await server.close();
    // A task still running past the grace period must not keep the process alive: its message
    // was not acknowledged and runs again at the next start.
    setTimeout(() => process.exit(0), 2000).unref();
    return 0;
  },
};
