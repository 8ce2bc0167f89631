import type { PluginDefault, PluginRegistry } from '@windhover/core';
import { parseFlow } from '@windhover/core';
import type { FlowValidator } from './flow-validator';

/** The flow language's validator (packages/core/src/flow) with the registered task and trigger schemas. */
export function createCoreFlowValidator(registry: PluginRegistry, globalPluginDefaults?: readonly PluginDefault[]): FlowValidator {
  return {
    validate: (source) => {
      const r = parseFlow(source, { registry, ...(globalPluginDefaults ? { globalPluginDefaults } : {}) });
      return r.ok ? { flow: r.flow, violations: [] } : { violations: r.violations };
    },
  };
}
