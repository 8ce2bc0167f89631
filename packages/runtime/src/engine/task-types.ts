import type { PluginRegistry, TaskTypeInfo } from '@windhover/core';
import { coreTaskType } from '@windhover/core';

/** Type info for decide(): the registry's canonical type and category, else the core table. */
export function taskTypeResolver(registry: PluginRegistry): (type: string) => TaskTypeInfo | undefined {
  const cache = new Map<string, TaskTypeInfo | undefined>();
  return (type) => {
    if (cache.has(type)) return cache.get(type);
    const core = coreTaskType(type);
    const p = registry.get(type);
    const info = core ?? (p && p.kind === 'task' ? { canonical: p.type, category: p.category ?? 'runnable' } : undefined);
    cache.set(type, info);
    return info;
  };
}
