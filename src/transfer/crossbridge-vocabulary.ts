// The original CrossBridge tool's words, read into ours. The mapping is documented in the README
// ("Coming from CrossBridge"); the same table is written in SQL in src/db/adopt-crossbridge.ts.
import { severities, trends, type Direction, type Severity, type Trend } from '../store/store.js';

/**
 * NONE..CRITICAL in any case, the original's low/moderate/high/critical, and its export's
 * `DriftSeverity.MODERATE` (Python's str() of the enum). `moderate` is our MEDIUM.
 */
export function readSeverity(value: string): Severity | null {
  const word = value.trim().replace(/^DriftSeverity\./i, '').toUpperCase();
  const severity = word === 'MODERATE' ? 'MEDIUM' : word;
  return (severities as readonly string[]).includes(severity) ? (severity as Severity) : null;
}

/**
 * The original's direction: increasing, decreasing, stable or volatile. Ours carries only the sign of
 * the change; `volatile` (scatter without a consistent sign) becomes STABLE, and the analysis's trend
 * keeps the word `volatile`, so nothing it said is lost.
 */
export function readDirection(value: string): Direction | null {
  const word = value.trim().toUpperCase();
  if (word === 'INCREASING' || word === 'DECREASING' || word === 'STABLE') return word;
  return word === 'VOLATILE' ? 'STABLE' : null;
}

/**
 * The original's trend: gradually_/strongly_ increasing/decreasing become improving/degrading (a
 * rising confidence is an improvement); stable, volatile and insufficient_data are ours already.
 * The strength is kept in the analysis's recommendations by adoption, not in the trend word.
 */
export function readTrend(value: string): Trend | null {
  const word = value.trim().toLowerCase();
  if (/^(gradually|strongly)_increasing$/.test(word)) return 'improving';
  if (/^(gradually|strongly)_decreasing$/.test(word)) return 'degrading';
  return (trends as readonly string[]).includes(word) ? (word as Trend) : null;
}

/**
 * An instant as the original writes it: ISO-8601 with an offset, or naive (`2026-11-25 01:30:13.807939`,
 * `2026-11-25T00:30:06.123457`), which the original always meant as UTC. Microseconds beyond the
 * millisecond do not fit a JavaScript Date; returns null for anything that is not a real calendar instant.
 */
export function readInstant(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s = '00', frac = '', zone = 'Z'] = match;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}.${(frac + '000').slice(0, 3)}${zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  // Refuse dates JavaScript would roll over (2024-02-30 -> March 1st) by reading the fields back.
  const offsetMinutes = zone.toUpperCase() === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const same =
    local.getUTCFullYear() === Number(y) && local.getUTCMonth() + 1 === Number(mo) && local.getUTCDate() === Number(d) && local.getUTCHours() === Number(h);
  return same ? date : null;
}
