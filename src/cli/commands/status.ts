import { Command } from 'commander';
import { maskUrl } from '../../config.js';
import { severities, type Severity } from '../../store/store.js';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { formatTable, print, printable, severityLabel } from '../output.js';
import { before, dayMs, parseWhole } from '../option-parsers.js';
import { withStore } from '../run-command.js';
import { percent } from './percent.js';

export const statusCommand = withDatabaseOptions(new Command('status'))
  .description('what the service holds: backend, size, tests, open alerts by severity, the tests drifting most')
  .option('--category <category>', 'only tests of this category')
  .option('--window <days>', 'the tests drifting most over the last this many days (default 30, as the original CrossBridge CLI)', '30')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExamples:\n  drift status --db-backend postgres\n  drift status --category auth --window 30')
  .action(async (options: { category?: string; window: string; json?: boolean }, command: Command) => {
    const window = parseWhole('--window', options.window, 1, 36_500)!;
    const config = commandConfig(command);
    const category = options.category;
    await withStore(
      config,
      async (store) => {
        const [sizeBytes, tests, measurements, analyses] = await Promise.all([
          store.databaseSizeBytes(),
          store.countTests({ category }),
          category === undefined ? store.countRows('measurements') : store.countMeasurements({ category }),
          category === undefined ? store.countRows('analyses') : store.countAnalyses({ category }),
        ]);
        const openAlerts: Record<string, number> = {};
        for (const severity of severities.slice(1)) {
          openAlerts[severity] = await store.countAlerts({ acknowledged: false, minSeverity: severity });
        }
        // At-least counts become per-severity counts.
        const bySeverity = Object.fromEntries(
          severities.slice(1).map((s, i, all) => [s, openAlerts[s]! - (i + 1 < all.length ? openAlerts[all[i + 1]!]! : 0)]),
        );
        const recent = await store.listAnalyses({ minSeverity: 'LOW', category, since: before(new Date(), window, dayMs) }, { first: 500 });
        const seen = new Set<string>();
        const drifting = recent.items
          .filter((a) => !seen.has(a.testName) && seen.add(a.testName))
          .sort((a, b) => b.driftPercentage - a.driftPercentage)
          .slice(0, 5)
          .map((a) => ({ test: a.testName, severity: a.severity, direction: a.direction, drift: a.driftPercentage, analyzedAt: a.analyzedAt }));
        const status = {
          backend: store.backend,
          database: config.database.backend === 'sqlite' ? config.database.path : maskUrl(config.database.url),
          schema: store.schema,
          category: category ?? null,
          windowDays: window,
          sizeBytes,
          tests,
          measurements,
          analyses,
          unacknowledgedAlerts: bySeverity,
          driftingMost: drifting,
        };
        print(
          { json: options.json === true },
          () =>
            [
              `backend        ${status.backend}${status.schema ? ` (schema ${status.schema})` : ''}`,
              `database       ${printable(status.database)}`,
              ...(category === undefined ? [] : [`category       ${printable(category)}`]),
              `size           ${sizeBytes.toLocaleString('en-US')} bytes`,
              `tests          ${tests.toLocaleString('en-US')}`,
              `measurements   ${measurements.toLocaleString('en-US')}`,
              `analyses       ${analyses.toLocaleString('en-US')}`,
              `open alerts    ${Object.entries(bySeverity).map(([s, n]) => `${severityLabel(s as Severity)} ${n}`).join('  ')}`,
              '',
              `drifting most (last ${window} day${window === 1 ? '' : 's'})`,
              formatTable(drifting.map((d) => ({ ...d, severity: severityLabel(d.severity), drift: percent(d.drift), analyzedAt: d.analyzedAt.toISOString() }))),
            ].join('\n'),
          status,
        );
      },
      { readOnly: true },
    );
  });
