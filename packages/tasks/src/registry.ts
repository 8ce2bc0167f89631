import { PluginRegistry } from '@windhover/core';
import { CORE_EXECUTOR_TASKS, CORE_RUNNABLE_TASKS } from './core/index';
import { GIT_TASKS } from './git/index';
import { KV_TASKS } from './kv/index';
import { NAMESPACE_TASKS } from './namespace/index';
import { SCRIPT_TASKS } from './scripts/index';

/**
 * Every implemented plugin: core runnable tasks, the core tasks the
 * executor runs itself, and the other families (each adds its list here).
 */
export function createTaskRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  registry.register(...CORE_RUNNABLE_TASKS);
  registry.register(...CORE_EXECUTOR_TASKS);
  registry.register(...SCRIPT_TASKS);
  registry.register(...GIT_TASKS);
  registry.register(...KV_TASKS);
  registry.register(...NAMESPACE_TASKS);
  return registry;
}
