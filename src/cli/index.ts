import { Command, CommanderError } from 'commander';
import { copyCommand } from './commands/copy.js';
import { ackCommand, alertsCommand, analyzeCommand, recordCommand, statusCommand } from './commands/drift-commands.js';
import { exportCommand, importCommand } from './commands/transfer.js';
import { cleanupCommand, vacuumCommand } from './commands/maintenance.js';
import { migrateCommand } from './commands/migrate.js';
import { serveCommand } from './commands/serve.js';
import { statsCommand } from './commands/stats.js';
import { exitCodes, reportFailure } from './run-command.js';

const program = new Command('drift')
  .description('Driftwatch: track how the confidence of automated test analysis drifts over time')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride()
  .addHelpText(
    'after',
    '\nDatabase flags (--db-*, --sqlite-path) work on every command; flags win over the environment, the environment over defaults.',
  );

for (const command of [
  serveCommand,
  migrateCommand,
  statusCommand,
  statsCommand,
  recordCommand,
  analyzeCommand,
  alertsCommand,
  ackCommand,
  cleanupCommand,
  vacuumCommand,
  exportCommand,
  importCommand,
  copyCommand,
]) {
  program.addCommand(command.exitOverride());
}

try {
  await program.parseAsync(process.argv);
  process.exitCode ??= exitCodes.ok;
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are not failures; anything else commander rejects is a usage error.
    process.exitCode = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code)
      ? exitCodes.ok
      : exitCodes.usage;
  } else {
    process.exitCode = reportFailure(error);
  }
}
