import { Command, Option } from 'commander';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { formatTable, print } from '../output.js';
import { before, dayMs, parseTime, parseWhole } from '../option-parsers.js';
import { withStore } from '../run-command.js';

export const statsCommand = withDatabaseOptions(new Command('stats'))
  .description('measurement statistics, over everything or one category since a moment')
  .option('--category <category>', 'only this category')
  .option('--since <time>', 'only measurements at or after this ISO-8601 time')
  .addOption(
    new Option(
      '--days <n>',
      'only measurements of the last n days (default: everything; the original CrossBridge CLI defaulted to 7, pass --days 7 for that)',
    ).conflicts('since'),
  )
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExamples:\n  drift stats\n  drift stats --days 7\n  drift stats --category payments --since 2026-11-01T00:00:00Z --json')
  .action(async (options: { category?: string; since?: string; days?: string; json?: boolean }, command: Command) => {
    const since = parseTime('--since', options.since) ?? before(new Date(), parseWhole('--days', options.days, 1, 36_500), dayMs);
    await withStore(
      commandConfig(command),
      async (store) => {
        const stats = await store.statistics({ category: options.category, since });
        const unacknowledgedAlerts = await store.countAlerts({ acknowledged: false });
        const result = { ...stats, unacknowledgedAlerts };
        print({ json: options.json === true }, () => formatTable(Object.entries(result).map(([name, value]) => ({ statistic: name, value }))), result);
      },
      { readOnly: true },
    );
  });
