import fs from 'node:fs';
import { once } from 'node:events';
import { Command } from 'commander';
import { exportJson } from '../../transfer/json-export.js';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { countedRows, print, progressReporter } from '../output.js';
import { withStore } from '../run-command.js';

export const exportCommand = withDatabaseOptions(new Command('export'))
  .description('write every measurement, analysis and alert, and the history past retention, to a JSON file (the seed layout)')
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
        print({ json: options.json === true }, () => `exported ${countedRows(counts)} to ${file}`, counts);
      } catch (error) {
        output.destroy();
        fs.rmSync(partial, { force: true });
        throw error;
      }
    }, { readOnly: true });
  });
