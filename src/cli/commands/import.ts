import fs from 'node:fs';
import { Command } from 'commander';
import { importJson } from '../../transfer/json-import.js';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { countedRows, print, progressReporter } from '../output.js';
import { withStore } from '../run-command.js';

export const importCommand = withDatabaseOptions(new Command('import'))
  .description('load a JSON export; rows whose id (a history row: whose hour and category) already exists are skipped, so re-running is safe')
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
          `imported ${countedRows(inserted)} (already present: ${Object.values(skipped).reduce((sum, n) => sum + n, 0)})`,
        result,
      );
    });
  });
