import type { PluginDefault, PluginDescriptor } from '@windhover/core';
import { PluginRegistry, parseFlow } from '@windhover/core';
import { BUILTIN_DESCRIPTORS } from '@windhover/tasks';
import type { FlowValidator } from './flow-validator';

/**
 * What a flow may reference: every task the engine can run (`registry`),
 * plus the built-in triggers, conditions and task runners, whose schemas
 * live in @windhover/tasks even when another part of the runtime (the
 * scheduler, the webhook route) handles them. Task types that are only
 * declared, not implemented, stay unknown: a flow that could not run is refused.
 */
export function validationRegistry(registry: PluginRegistry): PluginRegistry {
  const out = new PluginRegistry().register(...registry.list());
  const known = (d: PluginDescriptor) => [d.type, ...(d.aliases ?? [])].some((t) => out.get(t) !== undefined);
  out.register(...BUILTIN_DESCRIPTORS.filter((d) => d.kind !== 'task' && !known(d)));
  return out;
}

/** The flow language's validator (packages/core/src/flow) with the schemas of `validationRegistry(registry)`. */
export function createCoreFlowValidator(registry: PluginRegistry, globalPluginDefaults?: readonly PluginDefault[]): FlowValidator {
  const schemas = validationRegistry(registry);
  return {
    validate: (source) => {
      const r = parseFlow(source, { registry: schemas, ...(globalPluginDefaults ? { globalPluginDefaults } : {}) });
      return r.ok ? { flow: r.flow, violations: [] } : { violations: r.violations };
    },
  };
}
