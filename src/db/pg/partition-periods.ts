// The periods confidence_measurements is partitioned into, as pure functions of instants. A period
// is half-open, [start, next start), in UTC: a calendar month, or an ISO week from Monday 00:00.

export const partitionIntervals = ['month', 'week'] as const;
export type PartitionInterval = (typeof partitionIntervals)[number];
/** How the measurements table is laid out: partitioned by one of the intervals, or one plain table. */
export type MeasurementsLayout = PartitionInterval | 'off';
export const measurementsLayouts: readonly MeasurementsLayout[] = [...partitionIntervals, 'off'];
/**
 * What retention deletes from a partitioned table: whole periods only (a period the cutoff falls in
 * stays until all of it is past), or every row before the cutoff.
 */
export const retentionModes = ['partitions', 'rows'] as const;
export type RetentionMode = (typeof retentionModes)[number];

const dayMs = 86_400_000;
/** Periods made ahead of the current one, so writes of the coming weeks never wait in the default partition. */
export const periodsAhead = 2;
/**
 * Periods further back than this get no partition of their own: a stray instant (year 1, year 9999)
 * would otherwise add a partition per period in between. Their rows stay in the default partition,
 * which retention empties like any other.
 */
const partitionedYearsBack = 10;

/** The first instant of a UTC month; Date.UTC would read years 0-99 as 1900-1999. */
function monthStart(year: number, month: number): Date {
  const start = new Date(0);
  start.setUTCFullYear(year, month, 1);
  return start;
}

/** The start of the period holding `at`. */
export function periodStart(at: Date, interval: PartitionInterval): Date {
  if (interval === 'month') return monthStart(at.getUTCFullYear(), at.getUTCMonth());
  const day = Math.floor(at.getTime() / dayMs) * dayMs;
  // 1970-01-01 was a Thursday: (weekday + 6) % 7 counts the days since Monday.
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * dayMs);
}

/** The start of the period after the one starting at `start`. */
export function nextPeriod(start: Date, interval: PartitionInterval): Date {
  if (interval === 'week') return new Date(start.getTime() + 7 * dayMs);
  return monthStart(start.getUTCFullYear(), start.getUTCMonth() + 1);
}

/** The periods from the one holding `from` up to and including the one holding `to`. */
export function periodsBetween(from: Date, to: Date, interval: PartitionInterval): Date[] {
  const starts: Date[] = [];
  for (let start = periodStart(from, interval); start <= to; start = nextPeriod(start, interval)) starts.push(start);
  return starts;
}

/** A period's partition: `confidence_measurements_2026_11` for a month, `…_w2026_11_23` for the week from that Monday. */
export function partitionName(table: string, start: Date, interval: PartitionInterval): string {
  const year = String(start.getUTCFullYear()).padStart(4, '0');
  const month = String(start.getUTCMonth() + 1).padStart(2, '0');
  if (interval === 'month') return `${table}_${year}_${month}`;
  return `${table}_w${year}_${month}_${String(start.getUTCDate()).padStart(2, '0')}`;
}

/** Every name partitionName gives the table's partitions, as a regular expression (POSIX and JavaScript alike). */
export function partitionNamePattern(table: string): string {
  return `${table}_(w[0-9]{4}_[0-9]{2}_[0-9]{2}|[0-9]{4}_[0-9]{2})`;
}

/** Which interval a partition's bounds span: a week is 7 days, a month 28 to 31. */
export function intervalOfBounds(from: Date, to: Date): PartitionInterval {
  return to.getTime() - from.getTime() <= 7 * dayMs ? 'week' : 'month';
}

/**
 * The periods that get a partition: the one holding `now` and `periodsAhead` after it, and every
 * period holding rows (`withRows`, any order) from `partitionedYearsBack` before now up to those.
 */
export function periodsToPartition(withRows: readonly Date[], now: Date, interval: PartitionInterval): Date[] {
  let last = periodStart(now, interval);
  for (let i = 0; i < periodsAhead; i++) last = nextPeriod(last, interval);
  const horizon = periodStart(new Date(now.getTime() - partitionedYearsBack * 365.25 * dayMs), interval);
  const starts = new Map(periodsBetween(now, last, interval).map((start) => [start.getTime(), start]));
  for (const at of withRows) {
    const start = periodStart(at, interval);
    if (start >= horizon && start <= last) starts.set(start.getTime(), start);
  }
  return [...starts.values()].sort((a, b) => a.getTime() - b.getTime());
}
