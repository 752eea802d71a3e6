import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { copyCommand } from './commands/copy.js';
import { ackCommand } from './commands/ack.js';
import { alertsCommand } from './commands/alerts.js';
import { analyzeCommand } from './commands/analyze.js';
import { cleanupCommand } from './commands/cleanup.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { recordCommand } from './commands/record.js';
import { statusCommand } from './commands/status.js';
import { vacuumCommand } from './commands/vacuum.js';
import { migrateCommand } from './commands/migrate.js';
import { serveCommand } from './commands/serve.js';
import { statsCommand } from './commands/stats.js';
import { exitCodes, reportFailure } from './run-command.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command('drift')
  .version(version, '-V, --version', 'print the version')
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
