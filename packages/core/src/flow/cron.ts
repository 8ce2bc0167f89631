import { Cron } from 'croner';

const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const FIELDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

/**
 * Checks a Schedule cron as Kestra reads it: 5 fields (6 with a leading
 * seconds field when `withSeconds`), or a nickname. Returns why it is
 * invalid, or undefined when it is valid.
 */
export function cronProblem(cron: string, withSeconds = false): string | undefined {
  const expr = cron.trim();
  if (expr === '') return 'empty cron expression';
  if (expr.startsWith('@')) return NICKNAMES.has(expr.toLowerCase()) ? undefined : `unknown nickname ${expr} (use @hourly, @daily, @weekly, @monthly or @yearly)`;
  const parts = expr.split(/\s+/);
  const expected = withSeconds ? 6 : 5;
  if (parts.length !== expected) {
    return `expected ${expected} fields${withSeconds ? ' (seconds minute hour day-of-month month day-of-week)' : ' (minute hour day-of-month month day-of-week)'}, got ${parts.length}${!withSeconds && parts.length === 6 ? '; set withSeconds: true for a seconds field' : ''}`;
  }
  const fields = withSeconds ? FIELDS : FIELDS.slice(1);
  for (let i = 0; i < parts.length; i++) {
    const f = fields[i];
    for (const token of parts[i].split(/[,/-]/)) {
      if (!/^\d+$/.test(token)) continue;
      const n = Number(token);
      // After a `/` the number is a step, not a value.
      const isStep = parts[i].includes(`/${token}`) && parts[i].split('/')[1]?.startsWith(token);
      if (!isStep && (n < f.min || n > f.max)) return `${f.name} ${n} is out of range ${f.min}-${f.max}`;
    }
  }
  try {
    new Cron(withSeconds ? expr : `0 ${expr}`, { paused: true });
  } catch (e) {
    return e instanceof Error ? e.message.replace(/^CronPattern: /, '') : String(e);
  }
  return undefined;
}
