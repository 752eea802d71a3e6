import { Command } from 'commander';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { withStore } from '../run-command.js';

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
