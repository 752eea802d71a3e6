import { Command } from 'commander';
import { InProcessAlertBus } from '../../service/alert-bus.js';
import { StoreDriftService } from '../../service/store-drift-service.js';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { counted, formatTable, print, printable, severityLabel } from '../output.js';
import { parseWhole } from '../option-parsers.js';
import { withStore } from '../run-command.js';
import { percent } from './percent.js';

export const analyzeCommand = withDatabaseOptions(new Command('analyze'))
  .description('analyse drift now, store the analyses and raise alerts (tests with new measurements unless told otherwise)')
  .argument('[test_name]', 'only this test (as the original CrossBridge CLI takes it)')
  .option('--test <name...>', 'only these tests')
  .option('--category <category>', 'only tests of this category')
  .option('--all', 'every test, not only those with measurements stored since their latest analysis')
  .option('--window <days>', 'look back this many days (default: DRIFT_LOOKBACK_DAYS, 30, as the original)')
  .option('--json', 'machine-readable output')
  .addHelpText(
    'after',
    '\nExamples:\n  drift analyze\n  drift analyze --all\n  drift analyze test_login --window 30\n  drift analyze --test login checkout --json\n  drift analyze --category payments',
  )
  .action(async (testName: string | undefined, options: { test?: string[]; category?: string; all?: boolean; window?: string; json?: boolean }, command: Command) => {
    const window = parseWhole('--window', options.window, 1, 36_500);
    const config = commandConfig(command);
    const drift = window === undefined ? config.drift : { ...config.drift, lookbackDays: window };
    const testNames = testName === undefined ? options.test : [testName, ...(options.test ?? [])];
    await withStore(config, async (store) => {
      const bus = new InProcessAlertBus();
      const service = new StoreDriftService(store, bus, drift);
      // Another look-back changes every analysis, not only those of tests with new measurements.
      const all = options.all === true || window !== undefined;
      const outcome = await service.analyze({ testNames, category: options.category, all });
      await bus.close();
      print(
        { json: options.json === true },
        () =>
          `${formatTable(
            outcome.analyses.map((a) => ({
              test: a.testName,
              severity: severityLabel(a.severity),
              direction: a.direction,
              kind: a.kind,
              drift: percent(a.driftPercentage),
              baseline: a.baselineConfidence.toFixed(3),
              current: a.currentConfidence.toFixed(3),
              trend: a.trend,
              p: a.pValue === null ? null : a.pValue.toPrecision(2),
            })),
          )}\n\n${outcome.analyses.length} analysed, ${counted(outcome.alerts.length, 'alert')} raised` +
          outcome.alerts.map((alert) => `\n  #${alert.id} ${printable(alert.message)}`).join(''),
        outcome,
      );
    });
  });
