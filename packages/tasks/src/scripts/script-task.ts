import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import {
  type JsonValue,
  type Metric,
  type RunContext,
  type ScriptJob,
  type TaskDefinition,
  TaskFailure,
  type TaskResult,
  type TaskRunner,
} from '@windhover/core';
import { mergeOutputs, parseProtocolLine } from './output-protocol';
import { ProcessTaskRunner } from './process-runner';
import { resolveInputFiles } from './input-files';
import { collectFiles } from './staging';
import { parseTimeoutMs } from './timeout';

export const PROCESS_RUNNER = 'io.kestra.plugin.core.runner.Process';
export const DOCKER_RUNNER = 'io.kestra.plugin.scripts.runner.docker.Docker';

/** How a language turns `script` into a command (core-spec §4.8). */
export interface ScriptLanguage {
  readonly defaultImage: string;
  /** File name the inline script is written to, in the working directory. */
  readonly scriptFile: string;
  /** Shell command that runs the script file. */
  readonly runScript: (file: string) => string;
}

let defaultProcessRunner: ProcessTaskRunner | undefined;
const processRunner = (): ProcessTaskRunner => {
  defaultProcessRunner ??= new ProcessTaskRunner();
  return defaultProcessRunner;
};

const KESTRA_URI = /kestra:\/\/\/[^\s'"`<>|;)]+/g;

const asStringList = (v: unknown, property: string): string[] => {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  throw TaskFailure.nonRetryable(`'${property}' must be a string or a list of strings`);
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Picks the runner: the edition's for the type, else the Process runner (saying so when a container was asked for). */
function selectRunner(task: TaskDefinition, ctx: RunContext): TaskRunner {
  const spec = isRecord(task.taskRunner) ? task.taskRunner : undefined;
  const legacy = typeof task.runner === 'string' ? task.runner.toUpperCase() : undefined;
  const type = typeof spec?.type === 'string' ? spec.type : legacy === 'PROCESS' ? PROCESS_RUNNER : DOCKER_RUNNER;
  const provided = ctx.taskRunner?.(type);
  if (provided) return provided;
  if (type !== PROCESS_RUNNER) {
    ctx.logger.warn(`Task runner '${type}' is not available in this edition (no container engine): running with the Process runner in the worker environment`);
  }
  return processRunner();
}

/** Downloads every kestra:// URI mentioned in `text` into the working directory and points the text at the local copy. */
async function localizeInternalUris(text: string, files: Map<string, Uint8Array>, workingDir: string, ctx: RunContext): Promise<string> {
  const uris = [...new Set(text.match(KESTRA_URI) ?? [])];
  let result = text;
  for (const uri of uris) {
    const name = `.kestra/${createHash('sha1').update(uri).digest('hex').slice(0, 12)}/${posix.basename(uri)}`;
    files.set(name, await ctx.storage.getFile(uri));
    result = result.replaceAll(uri, posix.join(workingDir, name));
  }
  return result;
}

/**
 * Runs a script task (Commands or Script of any language) on its runner:
 * renders the properties, stages inputFiles, namespaceFiles and the
 * kestra:// files the commands mention, streams stdout (INFO) and stderr
 * (ERROR) to the task logs while parsing Kestra's `::{...}::` protocol, and
 * uploads the output files to internal storage.
 */
export async function runScript(task: TaskDefinition, ctx: RunContext, body: { commands?: unknown; script?: unknown }, language: ScriptLanguage): Promise<TaskResult> {
  const runner = selectRunner(task, ctx);
  const jobId = `${ctx.taskRunId}-${ctx.attempt}`;
  const paths = runner.paths(jobId);
  const isProcess = runner instanceof ProcessTaskRunner;
  // Inside a WorkingDirectory the Process runner works in the shared folder itself.
  const shared = ctx.workingDir;
  const workingDir = shared && isProcess ? shared : paths.workingDir;
  const outputDir = paths.outputDir;
  const extra = { workingDir, outputDir };
  const files = new Map<string, Uint8Array>();

  if (shared && !isProcess) {
    // A container cannot share the worker's folder: it gets a copy, and only its outputFiles come back.
    ctx.logger.warn('This task runner runs outside the worker: it gets a copy of the WorkingDirectory files and its changes to them are not kept (use outputFiles)');
    for (const [name, content] of await collectFiles(shared, shared, [])) files.set(name, content);
  }
  for (const [name, content] of await resolveInputFiles(task, ctx, extra)) files.set(name, content);

  const before = asStringList(await ctx.render(task.beforeCommands, extra), 'beforeCommands');
  const main: string[] = [];
  if (body.script !== undefined) {
    const script = await localizeInternalUris(await ctx.renderString(body.script, extra), files, workingDir, ctx);
    files.set(language.scriptFile, new TextEncoder().encode(script));
    main.push(language.runScript(language.scriptFile));
  } else {
    for (const c of asStringList(await ctx.render(body.commands, extra), 'commands')) main.push(await localizeInternalUris(c, files, workingDir, ctx));
  }
  const beforeLocal: string[] = [];
  for (const c of before) beforeLocal.push(await localizeInternalUris(c, files, workingDir, ctx));

  const interpreter = task.interpreter === undefined ? ['/bin/sh', '-c'] : asStringList(await ctx.render(task.interpreter), 'interpreter');
  const failFast = task.failFast === undefined ? true : (await ctx.render(task.failFast)) !== false;
  const script = [...(failFast ? ['set -e'] : []), ...beforeLocal, ...main].join('\n');

  const renderedEnv = task.env === undefined ? {} : await ctx.render(task.env, extra);
  if (!isRecord(renderedEnv)) throw TaskFailure.nonRetryable("'env' must be a map of strings");
  const env = Object.fromEntries(Object.entries(renderedEnv).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));

  const outputGlobs = asStringList(await ctx.render(task.outputFiles, extra), 'outputFiles');
  const timeoutMs = task.timeout === undefined ? undefined : parseTimeoutMs(await ctx.renderString(task.timeout));
  const containerImage = task.containerImage === undefined ? language.defaultImage : await ctx.renderString(task.containerImage);
  const runnerProperties = isRecord(task.taskRunner) ? task.taskRunner : {};

  const job: ScriptJob = {
    jobId,
    workingDir,
    outputDir,
    command: [...interpreter, script],
    env,
    inputFiles: files,
    outputFiles: outputGlobs,
    containerImage,
    runnerProperties,
    ...(shared && isProcess ? { sharedWorkingDir: true } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };

  const vars: Record<string, JsonValue> = {};
  let stdOutLineCount = 0;
  let stdErrLineCount = 0;
  const result = await runner.run(
    job,
    ({ stream, line }) => {
      const message = parseProtocolLine(line);
      if (message) {
        if (message.outputs) mergeOutputs(vars, message.outputs);
        for (const m of message.metrics ?? []) ctx.metric(m satisfies Metric);
        for (const l of message.logs ?? []) ctx.logger.log(l.level, l.message);
        return;
      }
      if (stream === 'stdout') {
        stdOutLineCount++;
        ctx.logger.info(line);
      } else {
        stdErrLineCount++;
        ctx.logger.error(line);
      }
    },
    ctx.signal,
  );

  const outputFiles: Record<string, JsonValue> = {};
  for (const [name, content] of result.outputFiles) outputFiles[name] = await ctx.storage.putFile(name, content);
  const outputs: Record<string, JsonValue> = {
    vars,
    exitCode: result.exitCode,
    stdOutLineCount,
    stdErrLineCount,
    ...(Object.keys(outputFiles).length > 0 || outputGlobs.length > 0 ? { outputFiles } : {}),
    ...(result.runnerOutputs ? { taskRunner: result.runnerOutputs } : {}),
  };
  if (result.timedOut) throw new TaskFailure(`Command timed out after ${String(task.timeout)} and was killed`, true, outputs);
  if (ctx.signal.aborted) throw TaskFailure.nonRetryable('Command was killed', outputs);
  if (result.exitCode !== 0) throw new TaskFailure(`Command failed with exit code ${result.exitCode}`, true, outputs);
  return { outputs };
}
