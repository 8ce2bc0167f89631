import type { RunnableTaskPlugin } from '@windhover/core';
import { CORE_BASIC_DESCRIPTORS } from '../schemas/core-basic';
import { descriptorOf } from './descriptor';

/** io.kestra.plugin.core.debug.Return: renders `format`; output `value`, metrics `length` and `duration`. */
export const Return: RunnableTaskPlugin = {
  ...descriptorOf(CORE_BASIC_DESCRIPTORS, 'io.kestra.plugin.core.debug.Return'),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    const started = ctx.now().getTime();
    const value = task['format'] === undefined ? '' : await ctx.renderString(task['format']);
    const tags = typeof task['format'] === 'string' ? { format: task['format'] } : undefined;
    const elapsed = ctx.now().getTime() - started;
    return {
      outputs: { value },
      metrics: [
        { name: 'length', type: 'counter', value: value.length, ...(tags ? { tags } : {}) },
        { name: 'duration', type: 'timer', value: elapsed, ...(tags ? { tags } : {}) },
      ],
    };
  },
};

