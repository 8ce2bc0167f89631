import type { FlowWithSource, Label } from '@windhover/core';

/** Flow labels as Kestra returns them: a list of `{key, value}` even when the YAML used a map. */
export function labelList(labels: Readonly<Record<string, string>> | readonly Label[] | undefined): Label[] {
  if (!labels) return [];
  if (Array.isArray(labels)) return [...(labels as readonly Label[])];
  return Object.entries(labels as Readonly<Record<string, string>>).map(([key, value]) => ({ key, value: String(value) }));
}

/** A stored flow as Kestra's API returns it (`Flow`, or `FlowWithSource` when `withSource`). */
export function flowJson(f: FlowWithSource, withSource: boolean): Record<string, unknown> {
  const { labels, ...flow } = f.flow;
  return {
    ...flow,
    tenantId: f.tenantId,
    ...(labels !== undefined ? { labels: labelList(labels) } : {}),
    revision: f.revision,
    disabled: flow.disabled ?? false,
    deleted: f.deleted ?? false,
    updated: f.updated,
    ...(withSource ? { source: f.source } : {}),
  };
}
