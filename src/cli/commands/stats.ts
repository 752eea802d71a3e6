import { Command } from 'commander';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { formatTable, print } from '../output.js';
import { UsageError, withStore } from '../run-command.js';

export function parseSince(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--since: "${value}" is not a date (use ISO-8601, e.g. 2026-11-01T00:00:00Z)`);
  return date;
}

export const statsCommand = withDatabaseOptions(new Command('stats'))
  .description('measurement statistics, over everything or one category since a moment')
  .option('--category <category>', 'only this category')
  .option('--since <time>', 'only measurements at or after this ISO-8601 time')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExamples:\n  drift stats\n  drift stats --category payments --since 2026-11-01T00:00:00Z --json')
  .action(async (options: { category?: string; since?: string; json?: boolean }, command: Command) => {
    const since = parseSince(options.since);
    await withStore(commandConfig(command), async (store) => {
      const stats = await store.statistics({ category: options.category, since });
      const unacknowledgedAlerts = await store.countAlerts({ acknowledged: false });
      const result = { ...stats, unacknowledgedAlerts };
      print({ json: options.json === true }, () => formatTable(Object.entries(result).map(([name, value]) => ({ statistic: name, value }))), result);
    });
  });
