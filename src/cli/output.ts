// How commands speak: aligned tables for people, JSON for machines, colour only on a terminal.
import { styleText } from 'node:util';
import type { Severity, TableName } from '../store/store.js';

export interface OutputOptions {
  json: boolean;
}

const colourful = () => process.stdout.isTTY === true && !process.env.NO_COLOR;

/** Text the CLI itself styled: the only escape sequences that reach the terminal. */
export class Styled {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/**
 * Stored text made safe for a terminal: control characters (and so every escape sequence, which
 * starts with ESC or the C1 CSI) are shown as \n, \t, \e or \u{..} instead of acting on the screen.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this escapes
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };
    return named[c] ?? `\\u{${c.codePointAt(0)!.toString(16)}}`;
  });
}

export function severityLabel(severity: Severity): Styled {
  if (!colourful()) return new Styled(severity);
  const colour = ({ NONE: 'gray', LOW: 'cyan', MEDIUM: 'yellow', HIGH: 'red', CRITICAL: 'magenta' } as const)[severity];
  return new Styled(styleText([colour, 'bold'], severity));
}

/** "1 alert", "2 alerts"; "1 analysis", "2 analyses". */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : plural}`;
}

/** What a transfer moved, table by table: "3 measurements, 1 analysis, 0 alerts, 2 history rows" (a row per hour and category). */
export function countedRows(counts: Record<TableName, number>): string {
  return [
    counted(counts.measurements, 'measurement'),
    counted(counts.analyses, 'analysis', 'analyses'),
    counted(counts.alerts, 'alert'),
    counted(counts.history, 'history row'),
  ].join(', ');
}

/** Visible width: colour escapes take no room on screen. */
function width(text: string): number {
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

export type Cell = string | number | null | undefined | Styled;

export function formatTable(rows: Record<string, Cell>[]): string {
  if (rows.length === 0) return '(none)';
  const columns = Object.keys(rows[0]!);
  const cells = rows.map((row) =>
    columns.map((c) => {
      const value = row[c];
      if (value === null || value === undefined) return '-';
      return value instanceof Styled ? value.text : printable(String(value));
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => width(r[i]!))));
  const line = (values: string[]) => values.map((v, i) => v + ' '.repeat(widths[i]! - width(v))).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function print(options: OutputOptions, human: () => string, machine: unknown): void {
  process.stdout.write(`${options.json ? JSON.stringify(machine, null, 2) : human()}\n`);
}

/** A progress line on stderr, redrawn in place, only when stderr is a terminal. */
export function progressReporter(label: string): ((done: number, total: number) => void) & { end(): void } {
  const enabled = process.stderr.isTTY === true;
  const report = (done: number, total: number) => {
    if (!enabled) return;
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const bar = '#'.repeat(Math.round(ratio * 30)).padEnd(30, '.');
    process.stderr.write(`\r${label} [${bar}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`);
  };
  return Object.assign(report, { end: () => enabled && process.stderr.write('\n') });
}
