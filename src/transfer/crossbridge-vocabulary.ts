// The original CrossBridge tool's words, read into ours. The mapping is documented in the README
// ("Coming from CrossBridge"); the same table is written in SQL in src/db/adopt-crossbridge.ts.
import { severities, trends, type Direction, type Severity, type Trend } from '../store/store.js';
import { readIsoInstant } from '../store/validation.js';

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

/** An instant as the original writes it: with an offset, or naive, which it always meant as UTC. */
export function readInstant(value: string): Date | null {
  return readIsoInstant(value, 'utc');
}
