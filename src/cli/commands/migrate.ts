import { Command } from 'commander';
import { describeDatabase } from '../../config.js';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { withStore } from '../run-command.js';

export const migrateCommand = withDatabaseOptions(new Command('migrate'))
  .description('apply the database migrations and exit (serve applies them on start too)')
  .addHelpText('after', '\nExamples:\n  drift migrate\n  drift migrate --db-backend postgres --db-url postgresql://drift@db:5432/drift --db-schema drift')
  .action(async (_options, command: Command) => {
    const config = commandConfig(command);
    await withStore(config, async () => {
      process.stdout.write(`migrated ${describeDatabase(config.database)}\n`);
    });
  });
