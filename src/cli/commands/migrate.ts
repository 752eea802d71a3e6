import { Command, Option } from 'commander';
import { describeDatabase, type DatabaseConfig } from '../../config.js';
import { adoptCrossbridgePg, adoptCrossbridgeSqlite, type Adoption } from '../../db/adopt-crossbridge.js';
import { repartitionPg } from '../../db/pg/connect.js';
import { measurementsLayouts, type MeasurementsLayout } from '../../db/pg/partition-periods.js';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { counted, progressReporter } from '../output.js';
import { UsageError, withStore } from '../run-command.js';

export const migrateCommand = withDatabaseOptions(new Command('migrate'))
  .description(
    'apply the database migrations and exit (serve applies them on start too); adopts a database the original CrossBridge tool made, in place',
  )
  .option('--no-backup', 'adopting a CrossBridge SQLite file: do not copy it to <file>.before-driftwatch first')
  .addOption(
    new Option('--partition <layout>', 'PostgreSQL: rebuild confidence_measurements partitioned by month or week, or unpartitioned (off)').choices(
      measurementsLayouts,
    ),
  )
  .addHelpText(
    'after',
    '\nA CrossBridge database is converted once, in one transaction, keeping every row, id and acknowledgement;' +
      '\nrunning migrate again changes nothing. Its SQLite file is first copied to <file>.before-driftwatch.' +
      '\n\n--partition copies every measurement into the new layout in one transaction; the table is locked' +
      '\nagainst reads and writes until it commits (60-90 s for 10 million rows on 2 cores). Set DRIFT_PG_PARTITION' +
      '\nto the same layout for the servers, so they make the partitions ahead of time.' +
      '\n\nExamples:\n  drift migrate\n  drift migrate --db-path data/drift_tracking.db' +
      '\n  drift migrate --db-backend postgres --db-url postgresql://drift@db:5432/drift --db-schema drift' +
      '\n  drift migrate --db-url postgresql://drift@db:5432/drift --partition month',
  )
  .action(async (options: { backup: boolean; partition?: MeasurementsLayout }, command: Command) => {
    const config = commandConfig(command);
    // The flag says which layout comes; the environment's wish must not refuse the table it replaces.
    const database: DatabaseConfig =
      options.partition !== undefined && config.database.backend === 'postgres' ? { ...config.database, partition: undefined } : config.database;
    if (options.partition !== undefined && database.backend !== 'postgres') {
      throw new UsageError('--partition: partitioning is a PostgreSQL feature; a SQLite database is one file and has no partitions');
    }
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
    await withStore({ ...config, database }, async () => {
      process.stdout.write(`migrated ${describeDatabase(database)}\n`);
    });
    if (options.partition !== undefined && database.backend === 'postgres') {
      const progress = progressReporter('partition');
      const changed = await repartitionPg(database, options.partition, (p) => progress(p.copied, p.total));
      progress.end();
      const layout = options.partition === 'off' ? 'unpartitioned' : `partitioned by ${options.partition}`;
      process.stdout.write(`${changed ? 'converted' : 'already'} ${layout}: confidence_measurements in ${describeDatabase(database)}\n`);
    }
  });
