import { CronExpressionParser } from 'cron-parser';

const FIELD_RANGES: readonly { name: string; max: number }[] = [
  { name: 'minute', max: 59 },
  { name: 'hour', max: 23 },
  { name: 'day of month', max: 31 },
  { name: 'month', max: 12 },
  { name: 'day of week', max: 7 },
];

/**
 * Why a five-field cron pattern is invalid, or null when it is valid. Stricter than cron-parser,
 * which quietly accepts a step wider than its field (`*\/61` would mean "minute 0 only").
 */
export function cronProblem(pattern: string): string | null {
  const fields = pattern.trim().split(/\s+/);
  if (fields.length !== 5) return `"${pattern}" is not a cron pattern: it needs 5 fields (minute hour day month weekday), found ${fields.length}`;
  for (const [index, field] of fields.entries()) {
    const range = FIELD_RANGES[index];
    if (!range) continue;
    for (const step of field.matchAll(/\/(\d+)/g)) {
      const value = Number(step[1]);
      if (value < 1 || value > range.max) {
        return `"${pattern}" is not a valid cron pattern: step /${value} is outside the ${range.name} field (1-${range.max})`;
      }
    }
  }
  try {
    CronExpressionParser.parse(pattern, { tz: 'UTC' });
  } catch (err) {
    return `"${pattern}" is not a valid cron pattern: ${(err as Error).message}`;
  }
  return null;
}

/** "HH:MM" for a pattern that fires once a day at a fixed time ("30 7 * * *"), else null. */
export function dailyTimeOf(pattern: string): string | null {
  const match = /^(\d{1,2})\s+(\d{1,2})\s+\*\s+\*\s+\*$/.exec(pattern.trim());
  if (!match) return null;
  const minute = Number(match[1]);
  const hour = Number(match[2]);
  if (minute > 59 || hour > 23) return null;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}
