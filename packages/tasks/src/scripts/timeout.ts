import { TaskFailure } from '@windhover/core';

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** ISO-8601 duration (days to seconds, as Kestra's timeouts accept) to milliseconds. */
export function parseTimeoutMs(value: string): number {
  const m = DURATION.exec(value.trim());
  if (!m || value.trim() === 'P' || value.trim().endsWith('T')) throw TaskFailure.nonRetryable(`Invalid timeout '${value}': expected an ISO-8601 duration such as PT30S`);
  const [, d, h, min, s] = m;
  return Math.round(((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000);
}
