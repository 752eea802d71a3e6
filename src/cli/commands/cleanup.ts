import { Command } from 'commander';
import { defaultRetention, maxRetentionDays } from '../../config.js';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { formatTable, print } from '../output.js';
import { parseWhole } from '../option-parsers.js';
import { withStore } from '../run-command.js';

const parseDays = (flag: string, value: string) => parseWhole(flag, value, 0, maxRetentionDays)!;

export const cleanupCommand = withDatabaseOptions(new Command('cleanup'))
  .description('delete measurements, analyses and alerts older than their retention')
  .option('--measurements-days <days>', 'keep measurements this many days (on a partitioned table, whole periods: see DRIFT_PG_RETENTION)', String(defaultRetention.measurementsDays))
  .option('--analysis-days <days>', 'keep analyses this many days', String(defaultRetention.analysisDays))
  .option(
    '--alerts-days <days>',
    'keep acknowledged alerts this many days after their acknowledgement (open alerts are never deleted)',
    String(defaultRetention.alertsDays),
  )
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExamples:\n  drift cleanup\n  drift cleanup --measurements-days 30 --json')
  .action(async (options: { measurementsDays: string; analysisDays: string; alertsDays: string; json?: boolean }, command: Command) => {
    const retention = {
      measurementsDays: parseDays('--measurements-days', options.measurementsDays),
      analysisDays: parseDays('--analysis-days', options.analysisDays),
      alertsDays: parseDays('--alerts-days', options.alertsDays),
    };
    await withStore(commandConfig(command), async (store) => {
      const deleted = await store.cleanup(retention, new Date());
      print({ json: options.json === true }, () => formatTable([{ table: 'deleted', ...deleted }]), deleted);
    });
  });
