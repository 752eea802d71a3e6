// The periods a partitioned measurements table is cut into: pure arithmetic on UTC instants.
import { describe, expect, it } from 'vitest';
import { intervalOfBounds, nextPeriod, partitionName, partitionNamePattern, periodStart, periodsBetween, periodsToPartition } from '../../src/db/pg/partition-periods.js';

const at = (iso: string) => new Date(iso);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('partition periods', () => {
  it('start a month on its first instant and a week on Monday, in UTC', () => {
    expect(periodStart(at('2026-11-30T23:59:59.999Z'), 'month').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    // 2026-11-01 is a Sunday: its week began on Monday 26 October.
    expect(periodStart(at('2026-11-01T12:00:00Z'), 'week').toISOString()).toBe('2026-10-26T00:00:00.000Z');
    expect(periodStart(at('2026-11-02T00:00:00Z'), 'week').toISOString()).toBe('2026-11-02T00:00:00.000Z');
    expect(periodStart(at('1969-12-31T23:00:00Z'), 'week').toISOString()).toBe('1969-12-29T00:00:00.000Z');
    // Years below 100 stay themselves rather than turning into 1900-1999.
    expect(periodStart(at('0010-05-17T00:00:00Z'), 'month').toISOString()).toBe('0010-05-01T00:00:00.000Z');
  });

  it('step to the next month across years and by seven days for weeks', () => {
    expect(nextPeriod(at('2026-12-01T00:00:00Z'), 'month').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(nextPeriod(at('9999-12-01T00:00:00Z'), 'month').getUTCFullYear()).toBe(10000);
    expect(nextPeriod(at('2026-12-28T00:00:00Z'), 'week').toISOString()).toBe('2027-01-04T00:00:00.000Z');
    expect(iso(periodsBetween(at('2026-11-15T00:00:00Z'), at('2027-01-01T00:00:00Z'), 'month'))).toStrictEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
  });

  it('name partitions by their first day and tell the interval from the bounds', () => {
    expect(partitionName('confidence_measurements', at('2026-02-01T00:00:00Z'), 'month')).toBe('confidence_measurements_2026_02');
    expect(partitionName('confidence_measurements', at('0001-01-01T00:00:00Z'), 'week')).toBe('confidence_measurements_w0001_01_01');
    const named = new RegExp(`^${partitionNamePattern('confidence_measurements')}$`);
    for (const interval of ['month', 'week'] as const) expect(partitionName('confidence_measurements', at('2026-11-23T00:00:00Z'), interval)).toMatch(named);
    expect('confidence_measurements_archive').not.toMatch(named);
    expect(intervalOfBounds(at('2026-02-01T00:00:00Z'), at('2026-03-01T00:00:00Z'))).toBe('month');
    expect(intervalOfBounds(at('2026-11-02T00:00:00Z'), at('2026-11-09T00:00:00Z'))).toBe('week');
  });

  it('partition the current period, two ahead, and the periods of rows from ten years back up to them', () => {
    const now = at('2026-11-25T10:00:00Z');
    const withRows = [at('2026-07-04T00:00:00Z'), at('2026-07-20T00:00:00Z'), at('2016-11-01T00:00:00Z'), at('2016-10-31T23:59:59.999Z'), at('0001-01-01T00:00:00Z'), at('2027-01-31T23:59:59.999Z'), at('2027-02-01T00:00:00Z'), at('9999-12-31T00:00:00Z')];
    expect(iso(periodsToPartition(withRows, now, 'month'))).toStrictEqual([
      '2016-11-01T00:00:00.000Z',
      '2026-07-01T00:00:00.000Z',
      '2026-11-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
    expect(iso(periodsToPartition([], now, 'week'))).toStrictEqual(['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
  });
});
