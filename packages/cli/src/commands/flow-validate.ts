import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FLOW_LIMITS, type FlowValidationResult, type PluginRegistry, type Violation, validateMultiDocument } from '@windhover/core';
import { validationRegistry } from '@windhover/runtime';
import { builtinDescriptor, createTaskRegistry } from '@windhover/tasks';
import type { CliIo, Command } from '../command';

const USAGE = 'flow validate <file|dir>... [--format text|json]';
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'cdk.out']);

interface FileReport {
  readonly file: string;
  readonly results: readonly Omit<FlowValidationResult, 'source'>[];
}

function parseArgs(args: readonly string[]): { paths: string[]; format: 'text' | 'json' } | { error: string } {
  const paths: string[] = [];
  let format: 'text' | 'json' = 'text';
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const value = a === '--format' ? args[++i] : a.startsWith('--format=') ? a.slice('--format='.length) : undefined;
    if (a === '--format' || a.startsWith('--format=')) {
      if (value !== 'text' && value !== 'json') return { error: `--format must be text or json, got '${value ?? ''}'` };
      format = value;
    } else if (a.startsWith('-')) return { error: `unknown option '${a}'` };
    else paths.push(a);
  }
  if (paths.length === 0) return { error: 'give at least one file or directory' };
  return { paths, format };
}

/** Every .yml/.yaml file under the given paths, in a stable order. */
async function collectFiles(paths: readonly string[]): Promise<{ files: string[]; missing: string[] }> {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory() && !SKIP_DIRS.has(e.name)) await walk(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) files.push(p);
    }
  };
  for (const p of paths) {
    const s = await stat(p).catch(() => undefined);
    if (!s) missing.push(p);
    else if (s.isDirectory()) await walk(p);
    else files.push(p);
  }
  return { files, missing };
}

async function validateFile(file: string, registry: PluginRegistry): Promise<FileReport> {
  try {
    return await validateReadableFile(file, registry);
  } catch (e) {
    const message = `cannot read the file: ${e instanceof Error ? e.message : String(e)}`;
    const violations: Violation[] = [{ message, file, line: 1, column: 1 }];
    const result = { index: 0, filename: file, flow: null, namespace: null, constraints: message, outdated: false, deprecationPaths: [], warnings: [], infos: [], violations };
    return { file, results: [result] };
  }
}

/** Kestra types whose schema Windhover knows but which it does not run yet get their own message. */
function unsupportedType(type: string): string | undefined {
  const d = builtinDescriptor(type);
  return d ? `\`${type}\` is a Kestra ${d.kind} type that Windhover does not run yet` : undefined;
}

async function validateReadableFile(file: string, registry: PluginRegistry): Promise<FileReport> {
  const size = (await stat(file)).size;
  // Refuse huge files before reading them into memory.
  const input =
    size > FLOW_LIMITS.maxSourceBytes ? new Uint8Array(FLOW_LIMITS.maxSourceBytes + 1) : new Uint8Array(await readFile(file));
  const results = validateMultiDocument(input, { registry, fileName: file, unsupportedType }).map(({ source: _source, ...rest }) => {
    if (size <= FLOW_LIMITS.maxSourceBytes) return rest;
    const message = `flow source is ${size} bytes; the limit is ${FLOW_LIMITS.maxSourceBytes} bytes (1 MB)`;
    const violations: Violation[] = [{ message, file, line: 1, column: 1 }];
    return { ...rest, constraints: message, violations };
  });
  return { file, results };
}

export function formatViolation(v: Violation): string {
  return `${v.file ?? '<input>'}:${v.line ?? 1}:${v.column ?? 1}: ${v.message}${v.path ? ` (${v.path})` : ''}`;
}

/** The types the server accepts: every implemented task, plus the built-in triggers, conditions and task runners. */
const serverRegistry = (): PluginRegistry => validationRegistry(createTaskRegistry());

/** `windhover flow validate <file|dir>...`: validates flows as the server will (Kestra's rules), with file:line:col messages. */
export function flowValidateCommand(registry: () => PluginRegistry = serverRegistry): Command {
  return {
    name: ['flow', 'validate'],
    summary: 'Validate flow files (every .yml/.yaml under the given paths)',
    usage: USAGE,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const parsed = parseArgs(args);
      if ('error' in parsed) {
        io.err(`windhover flow validate: ${parsed.error}\nUsage: windhover ${USAGE}`);
        return 2;
      }
      const { files, missing } = await collectFiles(parsed.paths);
      for (const m of missing) io.err(`windhover flow validate: no such file or directory: ${m}`);
      if (files.length === 0) {
        io.err('windhover flow validate: no .yml or .yaml file found');
        return 2;
      }
      const reg = registry();
      const reports: FileReport[] = [];
      for (const f of files) reports.push(await validateFile(f, reg));
      const flows = reports.flatMap((r) => r.results);
      const invalid = flows.filter((r) => r.violations.length > 0);
      const problems = invalid.reduce((n, r) => n + r.violations.length, 0);
      const summary = { files: files.length, flows: flows.length, valid: flows.length - invalid.length, invalid: invalid.length, problems };
      if (parsed.format === 'json') {
        io.out(JSON.stringify({ files: reports, summary }, null, 2));
      } else {
        for (const r of invalid) for (const v of r.violations) io.out(formatViolation(v));
        io.out(
          `${summary.flows} flow${summary.flows === 1 ? '' : 's'} in ${summary.files} file${summary.files === 1 ? '' : 's'}: ` +
            `${summary.valid} valid, ${summary.invalid} invalid (${problems} problem${problems === 1 ? '' : 's'})`,
        );
      }
      return invalid.length > 0 || missing.length > 0 ? 1 : 0;
    },
  };
}

export const FLOW_VALIDATE_COMMAND: Command = flowValidateCommand();
