import type { PluginDescriptor } from '@windhover/core';
import { PluginRegistry } from '@windhover/core';
import { CONDITION_DESCRIPTORS } from './conditions';
import { CORE_BASIC_DESCRIPTORS } from './core-basic';
import { CORE_EXECUTION_DESCRIPTORS } from './core-execution';
import { CORE_FLOW_DESCRIPTORS } from './core-flow';
import { CORE_STORAGE_DESCRIPTORS } from './core-storage';
import { GIT_DESCRIPTORS } from './git';
import { HTTP_DESCRIPTORS } from './http';
import { KV_DESCRIPTORS } from './kv';
import { NAMESPACE_DESCRIPTORS } from './namespace';
import { RUNNER_DESCRIPTORS } from './runners';
import { SCRIPT_DESCRIPTORS } from './scripts';
import { TRIGGER_DESCRIPTORS } from './triggers';

/**
 * Schemas of every built-in plugin type, without their implementations.
 * The validator only needs these; the runtime registers the plugins that
 * also `run` (their descriptors reuse these schemas).
 */
export const BUILTIN_DESCRIPTORS: readonly PluginDescriptor[] = [
  ...CORE_BASIC_DESCRIPTORS,
  ...CORE_FLOW_DESCRIPTORS,
  ...CORE_EXECUTION_DESCRIPTORS,
  ...CORE_STORAGE_DESCRIPTORS,
  ...HTTP_DESCRIPTORS,
  ...KV_DESCRIPTORS,
  ...NAMESPACE_DESCRIPTORS,
  ...GIT_DESCRIPTORS,
  ...SCRIPT_DESCRIPTORS,
  ...RUNNER_DESCRIPTORS,
  ...TRIGGER_DESCRIPTORS,
  ...CONDITION_DESCRIPTORS,
];

/** The descriptor of a built-in type (canonical name or alias). */
export function builtinDescriptor(type: string): PluginDescriptor | undefined {
  return BUILTIN_DESCRIPTORS.find((d) => d.type === type || d.aliases?.includes(type));
}

/** A registry holding every built-in descriptor (schemas only). */
export function createDescriptorRegistry(): PluginRegistry {
  return new PluginRegistry().register(...BUILTIN_DESCRIPTORS);
}

export {
  CONDITION_DESCRIPTORS,
  CORE_BASIC_DESCRIPTORS,
  CORE_EXECUTION_DESCRIPTORS,
  CORE_FLOW_DESCRIPTORS,
  CORE_STORAGE_DESCRIPTORS,
  GIT_DESCRIPTORS,
  HTTP_DESCRIPTORS,
  KV_DESCRIPTORS,
  NAMESPACE_DESCRIPTORS,
  RUNNER_DESCRIPTORS,
  SCRIPT_DESCRIPTORS,
  TRIGGER_DESCRIPTORS,
};
