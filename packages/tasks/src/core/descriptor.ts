import type { PluginDescriptor } from '@windhover/core';

/** The schema descriptor of `type` from a family's list (packages/tasks/src/schemas). */
export function descriptorOf(list: readonly PluginDescriptor[], type: string): PluginDescriptor {
  const d = list.find((p) => p.type === type);
  if (!d) throw new Error(`no descriptor for ${type}`);
  return d;
}
