import type { JsonValue, LogLevel, Metric, ScriptProtocolMessage } from '@windhover/core';

const LEVELS: ReadonlySet<string> = new Set(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']);
const METRIC_TYPES: ReadonlySet<string> = new Set(['counter', 'timer', 'gauge']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses one line of Kestra's script protocol: `::{"outputs": {...}}::`,
 * `::{"metrics": [...]}::`, `::{"logs": [...]}::` (what Kestra's Python and
 * Node libraries print). Returns undefined for an ordinary line, so it is
 * logged as is.
 */
export function parseProtocolLine(line: string): ScriptProtocolMessage | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('::{') || !trimmed.endsWith('}::')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed.slice(2, -2));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const message: { outputs?: Record<string, JsonValue>; metrics?: Metric[]; logs?: { level: LogLevel; message: string }[] } = {};
  if (isRecord(parsed.outputs)) message.outputs = parsed.outputs as Record<string, JsonValue>;
  if (Array.isArray(parsed.metrics)) {
    message.metrics = parsed.metrics.filter(isRecord).flatMap((m) => {
      if (typeof m.name !== 'string' || typeof m.value !== 'number' || !METRIC_TYPES.has(String(m.type))) return [];
      const tags = isRecord(m.tags) ? Object.fromEntries(Object.entries(m.tags).map(([k, v]) => [k, String(v)])) : undefined;
      return [{ name: m.name, type: m.type as Metric['type'], value: m.value, ...(tags ? { tags } : {}) }];
    });
  }
  if (Array.isArray(parsed.logs)) {
    message.logs = parsed.logs.filter(isRecord).map((l) => ({
      level: LEVELS.has(String(l.level).toUpperCase()) ? (String(l.level).toUpperCase() as LogLevel) : 'INFO',
      message: typeof l.message === 'string' ? l.message : JSON.stringify(l.message ?? ''),
    }));
  }
  return message;
}

/** Deep-merges protocol outputs the way Kestra accumulates `vars` across lines. */
export function mergeOutputs(target: Record<string, JsonValue>, add: Readonly<Record<string, JsonValue>>): Record<string, JsonValue> {
  for (const [k, v] of Object.entries(add)) {
    const cur = target[k];
    target[k] = isRecord(cur) && isRecord(v) ? mergeOutputs({ ...cur } as Record<string, JsonValue>, v as Record<string, JsonValue>) : v;
  }
  return target;
}
