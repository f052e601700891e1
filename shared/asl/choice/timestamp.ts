/**
 * Timestamps as Step Functions reads them: the ISO-8601 extended offset date-time format (AWS's
 * Wait-state errors name it so; the ASL spec narrows it to RFC 3339 with an uppercase `T` and `Z`).
 * Accepted: `YYYY-MM-DDTHH:mm[:ss[.fffffffff]](Z|±HH:MM[:SS])`, with calendar checks (no Feb 30,
 * hour 24 or second 60). Instants compare at nanosecond precision, as Java's `Instant` does.
 */

/** An instant: whole milliseconds since the Unix epoch plus the nanoseconds within that millisecond. */
export interface Timestamp {
  readonly epochMs: number;
  readonly nanos: number;
}

const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2})(?::(\d{2}))?)$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const num = (s: string | undefined): number => (s === undefined ? 0 : Number(s));

/** Parses a timestamp string; `undefined` when `value` is not a string in the accepted format. */
export function parseTimestamp(value: unknown): Timestamp | undefined {
  if (typeof value !== "string") return undefined;
  const m = PATTERN.exec(value);
  if (m === null) return undefined;
  const year = num(m[1]);
  const month = num(m[2]);
  const day = num(m[3]);
  const hour = num(m[4]);
  const minute = num(m[5]);
  const second = num(m[6]);
  if (month < 1 || month > 12 || day < 1) return undefined;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > monthDays || hour > 23 || minute > 59 || second > 59) return undefined;

  let offsetSeconds = 0;
  if (m[8] === undefined) {
    const offH = num(m[10]);
    const offM = num(m[11]);
    const offS = num(m[12]);
    if (offM > 59 || offS > 59) return undefined;
    offsetSeconds = offH * 3600 + offM * 60 + offS;
    if (offsetSeconds > 18 * 3600) return undefined;
    if (m[9] === "-") offsetSeconds = -offsetSeconds;
  }

  const fraction = (m[7] ?? "").padEnd(9, "0");
  const millisOfSecond = Number(fraction.slice(0, 3));
  const nanos = Number(fraction.slice(3));
  const epochSeconds =
    daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  return { epochMs: epochSeconds * 1000 + millisOfSecond, nanos };
}

export const isTimestamp = (value: unknown): boolean => parseTimestamp(value) !== undefined;

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.epochMs !== b.epochMs ? a.epochMs - b.epochMs : a.nanos - b.nanos;
}
