import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { buildFlowSchema, type PluginRegistry } from '@windhover/core';
import { createDescriptorRegistry } from '@windhover/tasks';
import type { CliIo, Command } from '../command';

const USAGE = 'schema [--out file]';

/** `windhover schema [--out file]`: the flow JSON Schema, for editors (`# yaml-language-server: $schema=...`). */
export function schemaCommand(registry: () => PluginRegistry = createDescriptorRegistry): Command {
  return {
    name: ['schema'],
    summary: 'Print or write the flow JSON Schema (for editor autocompletion)',
    usage: USAGE,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      let out: string | undefined;
      for (let i = 0; i < args.length; i++) {
        const a = args[i] as string;
        if (a === '--out' || a === '-o') out = args[++i];
        else if (a.startsWith('--out=')) out = a.slice('--out='.length);
        else {
          io.err(`windhover schema: unexpected argument '${a}'\nUsage: windhover ${USAGE}`);
          return 2;
        }
        if (out === undefined || out === '') {
          io.err(`windhover schema: --out needs a file path\nUsage: windhover ${USAGE}`);
          return 2;
        }
      }
      const text = `${JSON.stringify(buildFlowSchema(registry()), null, 2)}\n`;
      if (out === undefined) {
        io.out(text);
        return 0;
      }
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, text);
      io.out(`wrote the flow JSON Schema to ${out} (${text.length} bytes)`);
      return 0;
    },
  };
}

export const SCHEMA_COMMAND: Command = schemaCommand();
