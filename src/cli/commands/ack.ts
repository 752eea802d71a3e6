import { Command } from 'commander';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { print, printable } from '../output.js';
import { UsageError, withStore } from '../run-command.js';

/** The alert's number, or the global id the API gives out (base64url of `DriftAlert:<number>`). */
export function parseAlertId(value: string): number {
  if (/^[1-9]\d{0,15}$/.test(value)) return Number(value);
  const decoded = /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '';
  const match = /^DriftAlert:([1-9]\d{0,15})$/.exec(decoded);
  if (!match) throw new UsageError(`"${printable(value.slice(0, 100))}" is not an alert id (a number as \`drift alerts\` shows it, or the API's alert id)`);
  return Number(match[1]);
}

export const ackCommand = withDatabaseOptions(new Command('ack'))
  .description('acknowledge an alert; the first acknowledgement is kept')
  .argument('<id>', 'the alert number as `drift alerts` shows it, or the API\'s global alert id')
  .option('--by <name>', 'who acknowledges', process.env.USER)
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExamples:\n  drift ack 42 --by ana\n  drift ack RHJpZnRBbGVydDo0Mg --by ana')
  .action(async (id: string, options: { by?: string; json?: boolean }, command: Command) => {
    const alertId = parseAlertId(id);
    await withStore(commandConfig(command), async (store) => {
      const result = await store.acknowledgeAlert(alertId, options.by ?? null, new Date());
      if (result.status === 'not-found') throw new Error(`no alert with id ${alertId}`);
      const { alert } = result;
      print(
        { json: options.json === true },
        () =>
          result.status === 'acknowledged'
            ? `acknowledged #${alert.id} (${printable(alert.testName)}, ${alert.severity})`
            : `#${alert.id} was already acknowledged by ${printable(alert.acknowledgedBy ?? 'someone')} at ${alert.acknowledgedAt?.toISOString()}; kept that`,
        result,
      );
    });
  });
