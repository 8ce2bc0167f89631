import type { JsonValue, LogLevel, RunnableTaskPlugin } from '@windhover/core';
import { LOG_LEVELS, TaskFailure } from '@windhover/core';
import { CORE_BASIC_DESCRIPTORS } from '../schemas/core-basic';
import { descriptorOf } from './descriptor';
import { toIon } from './ion';

const LEVELS: readonly string[] = LOG_LEVELS;

/** io.kestra.plugin.core.log.Log: logs `message` (a string or one line per list item) at `level`. */
export const Log: RunnableTaskPlugin = {
  ...descriptorOf(CORE_BASIC_DESCRIPTORS, 'io.kestra.plugin.core.log.Log'),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    const level = task['level'] === undefined ? 'INFO' : await ctx.renderString(task['level']);
    if (!LEVELS.includes(level)) throw TaskFailure.nonRetryable(`Invalid log level '${level}'`);
    const raw = task['message'];
    const messages = Array.isArray(raw) ? raw : [raw];
    for (const m of messages) ctx.logger.log(level as LogLevel, await ctx.renderString(m));
    return {};
  },
};

/**
 * io.kestra.plugin.core.log.Fetch: the logs of an execution (default: this
 * one) at `level` or above, optionally of some tasks, as an ION file.
 */
export const Fetch: RunnableTaskPlugin = {
  ...descriptorOf(CORE_BASIC_DESCRIPTORS, 'io.kestra.plugin.core.log.Fetch'),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    if (!ctx.logs) throw TaskFailure.nonRetryable('Logs cannot be read here');
    const executionId = task['executionId'] === undefined ? ctx.executionId : await ctx.renderString(task['executionId']);
    const level = (task['level'] === undefined ? 'INFO' : await ctx.renderString(task['level'])) as LogLevel;
    const tasksId = task['tasksId'] === undefined ? [] : ((await ctx.render(task['tasksId'])) as unknown[]).map(String);
    let entries = await ctx.logs.find({ executionId, minLevel: level });
    if (tasksId.length > 0) entries = entries.filter((e) => e.taskId !== undefined && tasksId.includes(e.taskId));
    const text = entries.map((e) => toIon(e as unknown as JsonValue)).join('\n');
    const uri = await ctx.storage.putFile(`${ctx.taskRunId}.ion`, new TextEncoder().encode(text.length ? `${text}\n` : ''));
    return { outputs: { size: entries.length, uri } };
  },
};
