import { Command } from 'commander';
import { z } from 'zod';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { formatTable, print } from '../output.js';
import { UsageError, withStore } from '../run-command.js';

const days = z.coerce.number().int().min(0).max(36_500);

function parseDays(flag: string, value: string): number {
  const parsed = days.safeParse(value);
  if (!parsed.success) throw new UsageError(`${flag}: "${value}" is not a whole number of days from 0 to 36500`);
  return parsed.data;
}

export const cleanupCommand = withDatabaseOptions(new Command('cleanup'))
  .description('delete measurements, analyses and alerts older than their retention')
  .option('--measurements-days <days>', 'keep measurements this many days', '90')
  .option('--analysis-days <days>', 'keep analyses this many days', '30')
  .option('--alerts-days <days>', 'keep alerts this many days', '60')
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

export const vacuumCommand = withDatabaseOptions(new Command('vacuum'))
  .description('reclaim space and refresh planner statistics')
  .addHelpText('after', '\nExample:\n  drift vacuum')
  .action(async (_options, command: Command) => {
    await withStore(commandConfig(command), async (store) => {
      const before = await store.databaseSizeBytes();
      await store.vacuum();
      const after = await store.databaseSizeBytes();
      process.stdout.write(`vacuumed: ${before.toLocaleString('en-US')} -> ${after.toLocaleString('en-US')} bytes\n`);
    });
  });
