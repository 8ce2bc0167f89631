import type { RetryDefinition } from '../model/flow';
import { parseDurationMs } from './duration';
import { deriveFraction } from './ids';

/** Upper bound when a retry sets neither maxAttempts nor maxDuration. */
const DEFAULT_MAX_ATTEMPTS = 100;

/**
 * Delay before the next attempt, or undefined when no retry is left
 * (core-spec §6.3). `attempts` is the number of attempts made so far;
 * `elapsedMs` the time since the first attempt started.
 */
export function nextRetryDelayMs(
  retry: RetryDefinition | undefined,
  attempts: number,
  elapsedMs: number,
  seed: string,
): number | undefined {
  if (!retry || typeof retry !== 'object') return undefined;
  const r = retry as RetryDefinition & { maxAttempt?: number };
  const maxAttempts = r.maxAttempts ?? r.maxAttempt;
  const maxDuration = parseDurationMs(r.maxDuration);
  const cap = maxAttempts ?? (maxDuration === undefined ? DEFAULT_MAX_ATTEMPTS : Number.POSITIVE_INFINITY);
  if (attempts >= cap) return undefined;
  let delay: number;
  const interval = parseDurationMs(r.interval) ?? 0;
  switch (r.type) {
    case 'constant':
      delay = interval;
      break;
    case 'exponential': {
      // Kestra's docs: interval, interval*f, interval*f^2... capped by maxInterval (core-spec §10 #5).
      const factor = typeof r.delayFactor === 'number' ? r.delayFactor : 2;
      const max = parseDurationMs(r.maxInterval) ?? Number.POSITIVE_INFINITY;
      delay = Math.min(interval * factor ** (attempts - 1), max);
      break;
    }
    case 'random': {
      const min = parseDurationMs(r.minInterval) ?? 0;
      const max = parseDurationMs(r.maxInterval) ?? min;
      delay = min + deriveFraction(seed, attempts) * Math.max(0, max - min);
      break;
    }
    default:
      return undefined;
  }
  if (maxDuration !== undefined && elapsedMs + delay > maxDuration) return undefined;
  return Math.max(0, Math.round(delay));
}
