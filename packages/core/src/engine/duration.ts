const ISO = /^(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Parses an ISO-8601 duration (days, hours, minutes, seconds; Kestra rejects
 * weeks, months and years for timeouts and retries) into milliseconds.
 * Returns undefined when the text is not such a duration.
 */
export function parseDurationMs(text: unknown): number | undefined {
  if (typeof text === 'number' && Number.isFinite(text)) return text * 1000;
  if (typeof text !== 'string') return undefined;
  const m = ISO.exec(text.trim().toUpperCase());
  if (!m || text.trim().toUpperCase() === 'P' || text.trim().toUpperCase() === 'PT') return undefined;
  const [, neg, d, h, min, s] = m;
  const ms =
    (Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)) * 1000;
  return neg ? -ms : ms;
}
