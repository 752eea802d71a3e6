import { Command } from 'commander';
import { describeDatabase } from '../../config.js';
import { adoptCrossbridgePg, adoptCrossbridgeSqlite, type Adoption } from '../../db/adopt-crossbridge.js';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { counted } from '../output.js';
import { withStore } from '../run-command.js';

export const migrateCommand = withDatabaseOptions(new Command('migrate'))
  .description(
    'apply the database migrations and exit (serve applies them on start too); adopts a database the original CrossBridge tool made, in place',
  )
  .option('--no-backup', 'adopting a CrossBridge SQLite file: do not copy it to <file>.before-driftwatch first')
  .addHelpText(
    'after',
    '\nA CrossBridge database is converted once, in one transaction, keeping every row, id and acknowledgement;' +
      '\nrunning migrate again changes nothing. Its SQLite file is first copied to <file>.before-driftwatch.' +
      '\n\nExamples:\n  drift migrate\n  drift migrate --db-path data/drift_tracking.db' +
      '\n  drift migrate --db-backend postgres --db-url postgresql://drift@db:5432/drift --db-schema drift',
  )
  .action(async (options: { backup: boolean }, command: Command) => {
    const config = commandConfig(command);
    const database = config.database;
    const adoption: Adoption =
      database.backend === 'sqlite'
        ? adoptCrossbridgeSqlite(database.path, { backup: options.backup })
        : await adoptCrossbridgePg(database);
    if (adoption.status === 'adopted') {
      const { counts, backup } = adoption;
      process.stdout.write(
        `adopted the CrossBridge database ${describeDatabase(database)}: ${counted(counts.measurements, 'measurement')}, ` +
          `${counted(counts.analyses, 'analysis', 'analyses')}, ${counted(counts.alerts, 'alert')}` +
          `${backup ? ` (the original is kept as ${backup})` : ''}\n`,
      );
    }
    await withStore(config, async () => {
      process.stdout.write(`migrated ${describeDatabase(database)}\n`);
    });
  });
