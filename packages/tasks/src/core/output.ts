import type { JsonValue, RunnableTaskPlugin } from '@windhover/core';
import { TaskFailure } from '@windhover/core';
import { CORE_BASIC_DESCRIPTORS } from '../schemas/core-basic';
import { descriptorOf } from './descriptor';

/** io.kestra.plugin.core.output.OutputValues: `values` rendered (typed) into output `values`. */
export const OutputValues: RunnableTaskPlugin = {
  ...descriptorOf(CORE_BASIC_DESCRIPTORS, 'io.kestra.plugin.core.output.OutputValues'),
  kind: 'task',
  category: 'runnable',
  async run(task, ctx) {
    const values = await ctx.render(task['values'] ?? {});
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw TaskFailure.nonRetryable('`values` must be a map');
    return { outputs: { values: values as { [k: string]: JsonValue } } };
  },
};
