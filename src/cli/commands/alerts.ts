import { Command, Option } from 'commander';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { formatTable, print, severityLabel } from '../output.js';
import { before, hourMs, parseSeverity, parseTime, parseWhole } from '../option-parsers.js';
import { withStore } from '../run-command.js';

const severityHelp = 'none, low, medium (or moderate), high, critical; any case';

export const alertsCommand = withDatabaseOptions(new Command('alerts'))
  .description('list alerts, newest first')
  .option('--unacknowledged', 'only alerts nobody acknowledged yet')
  .option('--min-severity <severity>', `at least this severity (${severityHelp})`)
  .addOption(new Option('--severity <severity>', 'the same as --min-severity (the original CrossBridge CLI\'s name)').conflicts('minSeverity'))
  .option('--test <name>', 'only alerts of this test')
  .option('--since <time>', 'only alerts raised at or after this ISO-8601 time')
  .addOption(
    new Option(
      '--hours <n>',
      'only alerts raised in the last n hours (default: every alert; the original CrossBridge CLI defaulted to 24, pass --hours 24 for that)',
    ).conflicts('since'),
  )
  .option('--limit <n>', 'at most this many', '50')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExamples:\n  drift alerts --unacknowledged\n  drift alerts --severity moderate --hours 24\n  drift alerts --min-severity HIGH --json')
  .action(
    async (
      options: { unacknowledged?: boolean; minSeverity?: string; severity?: string; test?: string; since?: string; hours?: string; limit: string; json?: boolean },
      command: Command,
    ) => {
      const limit = parseWhole('--limit', options.limit, 1, 500)!;
      const minSeverity =
        options.severity !== undefined ? parseSeverity('--severity', options.severity) : parseSeverity('--min-severity', options.minSeverity);
      const hours = parseWhole('--hours', options.hours, 1, 876_000);
      const since = parseTime('--since', options.since) ?? before(new Date(), hours, hourMs);
      await withStore(
        commandConfig(command),
        async (store) => {
          const page = await store.listAlerts(
            { acknowledged: options.unacknowledged ? false : undefined, minSeverity, testName: options.test, since },
            { first: limit },
          );
          print(
            { json: options.json === true },
            () =>
              formatTable(
                page.items.map((a) => ({
                  id: a.id,
                  created: a.createdAt.toISOString(),
                  severity: severityLabel(a.severity),
                  test: a.testName,
                  acknowledged: a.acknowledged ? `${a.acknowledgedBy ?? 'yes'} ${a.acknowledgedAt?.toISOString() ?? ''}`.trim() : 'no',
                  message: a.message,
                })),
              ),
            page.items,
          );
        },
        { readOnly: true },
      );
    },
  );
