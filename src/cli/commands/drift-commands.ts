import { Command, Option } from 'commander';
import { z } from 'zod';
import { maskUrl } from '../../config.js';
import { InProcessAlertBus } from '../../service/alert-bus.js';
import { StoreDriftService } from '../../service/store-drift-service.js';
import { severities, type Severity } from '../../store/store.js';
import { commandConfig, withDatabaseOptions } from '../database-options.js';
import { formatTable, print, severityLabel } from '../output.js';
import { UsageError, withStore } from '../run-command.js';
import { parseSince } from './stats.js';

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

export const analyzeCommand = withDatabaseOptions(new Command('analyze'))
  .description('analyse drift now, store the analyses and raise alerts (all tests unless narrowed)')
  .option('--test <name...>', 'only these tests')
  .option('--category <category>', 'only tests of this category')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExamples:\n  drift analyze\n  drift analyze --test login checkout --json\n  drift analyze --category payments')
  .action(async (options: { test?: string[]; category?: string; json?: boolean }, command: Command) => {
    const config = commandConfig(command);
    await withStore(config, async (store) => {
      const bus = new InProcessAlertBus();
      const service = new StoreDriftService(store, bus, config.drift);
      const outcome = await service.analyze({ testNames: options.test, category: options.category });
      await bus.close();
      print(
        { json: options.json === true },
        () =>
          `${formatTable(
            outcome.analyses.map((a) => ({
              test: a.testName,
              severity: severityLabel(a.severity),
              direction: a.direction,
              drift: percent(a.driftPercentage),
              baseline: a.baselineConfidence.toFixed(3),
              current: a.currentConfidence.toFixed(3),
              trend: a.trend,
              p: a.pValue === null ? null : a.pValue.toPrecision(2),
            })),
          )}\n\n${outcome.analyses.length} analysed, ${outcome.alerts.length} alert${outcome.alerts.length === 1 ? '' : 's'} raised` +
          outcome.alerts.map((alert) => `\n  #${alert.id} ${alert.message}`).join(''),
        outcome,
      );
    });
  });

const severityOption = () => new Option('--min-severity <severity>', 'at least this severity').choices([...severities]);

export const alertsCommand = withDatabaseOptions(new Command('alerts'))
  .description('list alerts, newest first')
  .option('--unacknowledged', 'only alerts nobody acknowledged yet')
  .addOption(severityOption())
  .option('--test <name>', 'only alerts of this test')
  .option('--since <time>', 'only alerts raised at or after this ISO-8601 time')
  .option('--limit <n>', 'at most this many', '50')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExamples:\n  drift alerts --unacknowledged\n  drift alerts --min-severity HIGH --json')
  .action(async (options: { unacknowledged?: boolean; minSeverity?: Severity; test?: string; since?: string; limit: string; json?: boolean }, command: Command) => {
    const limit = z.coerce.number().int().min(1).max(500).safeParse(options.limit);
    if (!limit.success) throw new UsageError(`--limit: "${options.limit}" is not a whole number from 1 to 500`);
    const since = parseSince(options.since);
    await withStore(commandConfig(command), async (store) => {
      const page = await store.listAlerts(
        { acknowledged: options.unacknowledged ? false : undefined, minSeverity: options.minSeverity, testName: options.test, since },
        { first: limit.data },
      );
      print(
        { json: options.json === true },
        () =>
          formatTable(
            page.items.map((a) => ({
              id: a.id,
              created: a.createdAt.toISOString(),
              severity: severityLabel(a.severity),
              test: a.testName,
              acknowledged: a.acknowledged ? `${a.acknowledgedBy ?? 'yes'} ${a.acknowledgedAt?.toISOString() ?? ''}`.trim() : 'no',
              message: a.message,
            })),
          ),
        page.items,
      );
    });
  });

export const ackCommand = withDatabaseOptions(new Command('ack'))
  .description('acknowledge an alert; the first acknowledgement is kept')
  .argument('<id>', 'the alert id, as `drift alerts` shows it')
  .option('--by <name>', 'who acknowledges', process.env.USER)
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExample:\n  drift ack 42 --by ana')
  .action(async (id: string, options: { by?: string; json?: boolean }, command: Command) => {
    if (!/^[1-9]\d{0,15}$/.test(id)) throw new UsageError(`"${id}" is not an alert id (a positive whole number)`);
    await withStore(commandConfig(command), async (store) => {
      const result = await store.acknowledgeAlert(Number(id), options.by ?? null, new Date());
      if (result.status === 'not-found') throw new Error(`no alert with id ${id}`);
      const { alert } = result;
      print(
        { json: options.json === true },
        () =>
          result.status === 'acknowledged'
            ? `acknowledged #${alert.id} (${alert.testName}, ${alert.severity})`
            : `#${alert.id} was already acknowledged by ${alert.acknowledgedBy ?? 'someone'} at ${alert.acknowledgedAt?.toISOString()}; kept that`,
        result,
      );
    });
  });

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
      const timestamp = parseSince(options.timestamp);
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
        print({ json: options.json === true }, () => `recorded #${saved.id} ${saved.testName} ${saved.confidence} at ${saved.timestamp.toISOString()}`, saved);
      });
    },
  );

export const statusCommand = withDatabaseOptions(new Command('status'))
  .description('what the service holds: backend, size, tests, open alerts by severity, the tests drifting most')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExample:\n  drift status --db-backend postgres')
  .action(async (options: { json?: boolean }, command: Command) => {
    const config = commandConfig(command);
    await withStore(config, async (store) => {
      const [sizeBytes, tests, measurements, analyses] = await Promise.all([
        store.databaseSizeBytes(),
        store.countTests({}),
        store.countRows('measurements'),
        store.countRows('analyses'),
      ]);
      const openAlerts: Record<string, number> = {};
      for (const severity of severities.slice(1)) {
        openAlerts[severity] = await store.countAlerts({ acknowledged: false, minSeverity: severity });
      }
      // At-least counts become per-severity counts.
      const bySeverity = Object.fromEntries(
        severities.slice(1).map((s, i, all) => [s, openAlerts[s]! - (i + 1 < all.length ? openAlerts[all[i + 1]!]! : 0)]),
      );
      const recent = await store.listAnalyses({ minSeverity: 'LOW', since: new Date(Date.now() - 7 * 86_400_000) }, { first: 500 });
      const seen = new Set<string>();
      const drifting = recent.items
        .filter((a) => !seen.has(a.testName) && seen.add(a.testName))
        .sort((a, b) => b.driftPercentage - a.driftPercentage)
        .slice(0, 5)
        .map((a) => ({ test: a.testName, severity: a.severity, direction: a.direction, drift: a.driftPercentage, analyzedAt: a.analyzedAt }));
      const status = {
        backend: store.backend,
        database: config.database.backend === 'sqlite' ? config.database.path : maskUrl(config.database.url),
        schema: store.schema,
        sizeBytes,
        tests,
        measurements,
        analyses,
        unacknowledgedAlerts: bySeverity,
        driftingMost: drifting,
      };
      print(
        { json: options.json === true },
        () =>
          [
            `backend        ${status.backend}${status.schema ? ` (schema ${status.schema})` : ''}`,
            `database       ${status.database}`,
            `size           ${sizeBytes.toLocaleString('en-US')} bytes`,
            `tests          ${tests.toLocaleString('en-US')}`,
            `measurements   ${measurements.toLocaleString('en-US')}`,
            `analyses       ${analyses.toLocaleString('en-US')}`,
            `open alerts    ${Object.entries(bySeverity).map(([s, n]) => `${severityLabel(s as Severity)} ${n}`).join('  ')}`,
            '',
            'drifting most (last 7 days)',
            formatTable(drifting.map((d) => ({ ...d, severity: severityLabel(d.severity), drift: percent(d.drift), analyzedAt: d.analyzedAt.toISOString() }))),
          ].join('\n'),
        status,
      );
    });
  });
