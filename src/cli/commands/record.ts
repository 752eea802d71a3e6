import { Command } from 'commander';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { print, printable } from '../output.js';
import { parseTime } from '../option-parsers.js';
import { UsageError, withStore } from '../run-command.js';

const score = (flag: string) => (value: string) => {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new UsageError(`${flag}: "${value}" is not a number`);
  return parsed;
};

export const recordCommand = withDatabaseOptions(new Command('record'))
  .description('record one measurement, e.g. from a pipeline step')
  .requiredOption('--test <name>', 'the test name')
  .requiredOption('--confidence <0..1>', 'the confidence score', score('--confidence'))
  .option('--category <category>', 'the test category')
  .option('--failure-id <id>', 'the failure this analysis belongs to')
  .option('--rule-score <0..1>', 'the rule-based score', score('--rule-score'))
  .option('--signal-score <0..1>', 'the signal-based score', score('--signal-score'))
  .option('--timestamp <time>', 'ISO-8601 time of the measurement (default: now)')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExample:\n  drift record --test login --confidence 0.93 --category auth --failure-id F-123')
  .action(
    async (
      options: { test: string; confidence: number; category?: string; failureId?: string; ruleScore?: number; signalScore?: number; timestamp?: string; json?: boolean },
      command: Command,
    ) => {
      const timestamp = parseTime('--timestamp', options.timestamp);
      await withStore(commandConfig(command), async (store) => {
        const saved = await store.recordMeasurement({
          testName: options.test,
          confidence: options.confidence,
          category: options.category,
          failureId: options.failureId,
          ruleScore: options.ruleScore,
          signalScore: options.signalScore,
          timestamp,
        });
        print(
          { json: options.json === true },
          () => `recorded #${saved.id} ${printable(saved.testName)} ${saved.confidence} at ${saved.timestamp.toISOString()}`,
          saved,
        );
      });
    },
  );
