// How commands speak: aligned tables for people, JSON for machines, colour only on a terminal.
import { styleText } from 'node:util';
import type { Severity } from '../store/store.js';

export interface OutputOptions {
  json: boolean;
}

const colourful = () => process.stdout.isTTY === true && !process.env.NO_COLOR;

export function severityLabel(severity: Severity): string {
  if (!colourful()) return severity;
  const colour = ({ NONE: 'gray', LOW: 'cyan', MEDIUM: 'yellow', HIGH: 'red', CRITICAL: 'magenta' } as const)[severity];
  return styleText([colour, 'bold'], severity);
}

/** Visible width: colour escapes take no room on screen. */
function width(text: string): number {
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

export function formatTable(rows: Record<string, string | number | null>[]): string {
  if (rows.length === 0) return '(none)';
  const columns = Object.keys(rows[0]!);
  const cells = rows.map((row) => columns.map((c) => (row[c] === null || row[c] === undefined ? '-' : String(row[c]))));
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
