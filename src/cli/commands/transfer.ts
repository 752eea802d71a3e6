import fs from 'node:fs';
import { once } from 'node:events';
import { Command } from 'commander';
import { exportJson } from '../../transfer/json-export.js';
import { importJson } from '../../transfer/json-import.js';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { print, progressReporter } from '../output.js';
import { withStore } from '../run-command.js';

export const exportCommand = withDatabaseOptions(new Command('export'))
  .description('write every measurement, analysis and alert to a JSON file (the seed layout)')
  .argument('<file>', 'the JSON file to write')
  .option('--json', 'print the counts as JSON')
  .addHelpText('after', '\nExample:\n  drift export backup.json')
  .action(async (file: string, options: { json?: boolean }, command: Command) => {
    await withStore(commandConfig(command), async (store) => {
      const partial = `${file}.partial`;
      const output = fs.createWriteStream(partial);
      const progress = progressReporter('export');
      try {
        const counts = await exportJson(store, output, { onProgress: (p) => progress(p.done, p.total) });
        output.end();
        await once(output, 'finish');
        // The file appears only when complete, so a killed export never leaves a truncated one.
        fs.renameSync(partial, file);
        progress.end();
        print({ json: options.json === true }, () => `exported ${counts.measurements} measurements, ${counts.analyses} analyses, ${counts.alerts} alerts to ${file}`, counts);
      } catch (error) {
        output.destroy();
        fs.rmSync(partial, { force: true });
        throw error;
      }
    });
  });

export const importCommand = withDatabaseOptions(new Command('import'))
  .description('load a JSON export; rows whose id already exists are skipped, so re-running is safe')
  .argument('<file>', 'the JSON file to read')
  .option('--json', 'print the counts as JSON')
  .addHelpText('after', '\nExample:\n  drift import backup.json --db-backend postgres')
  .action(async (file: string, options: { json?: boolean }, command: Command) => {
    if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
    await withStore(commandConfig(command), async (store) => {
      const progress = progressReporter('import');
      const result = await importJson(store, file, { onProgress: (p) => progress(p.done, p.total) });
      progress.end();
      const { inserted, skipped } = result;
      print(
        { json: options.json === true },
        () =>
          `imported ${inserted.measurements} measurements, ${inserted.analyses} analyses, ${inserted.alerts} alerts` +
          ` (already present: ${skipped.measurements + skipped.analyses + skipped.alerts})`,
        result,
      );
    });
  });
