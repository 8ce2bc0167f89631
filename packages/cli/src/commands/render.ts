import { randomInt as cryptoRandomInt, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type ExpressionFunctions, isWindhoverError, renderForDisplay, SecretMasker } from '@windhover/core';
import type { CliIo, Command } from '../command';

const USAGE = "render '<template>' [--context ctx.json]";

function parseArgs(args: readonly string[]): { template?: string; contextFile?: string; error?: string } {
  let template: string | undefined;
  let contextFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--context' || a === '-c') {
      contextFile = args[++i];
      if (contextFile === undefined) return { error: '--context needs a file path' };
    } else if (a.startsWith('--context=')) contextFile = a.slice('--context='.length);
    else if (template === undefined) template = a;
    else return { error: `unexpected argument '${a}'` };
  }
  return { ...(template !== undefined ? { template } : {}), ...(contextFile !== undefined ? { contextFile } : {}) };
}

/**
 * Ports for the CLI: the clock, ids and randomness of this machine; secrets from `SECRET_<KEY>`
 * environment variables holding base64 values (Kestra's open-source convention).
 */
function cliFunctions(env: NodeJS.ProcessEnv): ExpressionFunctions {
  return {
    now: () => new Date(),
    uuid: () => randomUUID(),
    random: () => cryptoRandomInt(0, 2 ** 48) / 2 ** 48,
    secret: async (key) => {
      const raw = env[`SECRET_${key}`];
      if (raw === undefined) throw new Error(`Cannot find secret for key '${key}' (set SECRET_${key} to its base64 value)`);
      return Buffer.from(raw, 'base64').toString('utf8');
    },
  };
}

/** `windhover render '<template>' [--context ctx.json]`: try an expression, like Kestra's debug-expression console. */
export function renderCommand(env: NodeJS.ProcessEnv = process.env): Command {
  return {
    name: ['render'],
    summary: 'Render a Pebble expression against a JSON context and print the result',
    usage: USAGE,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const parsed = parseArgs(args);
      if (parsed.error || parsed.template === undefined) {
        io.err(`windhover render: ${parsed.error ?? 'missing template'}\nUsage: windhover ${USAGE}`);
        return 1;
      }
      let context: Record<string, unknown> = {};
      if (parsed.contextFile !== undefined) {
        try {
          const value: unknown = JSON.parse(await readFile(parsed.contextFile, 'utf8'));
          if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('the context must be a JSON object');
          context = value as Record<string, unknown>;
        } catch (e) {
          io.err(`windhover render: cannot read context '${parsed.contextFile}': ${(e as Error).message}`);
          return 1;
        }
      }
      const masker = new SecretMasker();
      try {
        io.out(await renderForDisplay(parsed.template, context, { functions: cliFunctions(env), secretMasker: masker }));
        return 0;
      } catch (e) {
        const message = isWindhoverError(e) ? e.message : e instanceof Error ? e.message : String(e);
        io.err(masker.mask(message));
        return 1;
      }
    },
  };
}

export const RENDER_COMMAND: Command = renderCommand();
