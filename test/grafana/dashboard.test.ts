// Every panel's SQL, with Grafana's macros expanded as its PostgreSQL data source expands them,
// runs against a real schema and returns the rows the panel should show.
import fs from 'node:fs';
import pg from 'pg';
import { describe, expect } from 'vitest';
import type { NewDriftAnalysis } from '../../src/store/store.js';
import { storeTest } from '../support/test-stores.js';

interface Panel {
  title: string;
  targets: { rawSql: string; format: string }[];
}

const dashboard = JSON.parse(fs.readFileSync('grafana/dashboards/driftwatch.json', 'utf8')) as { panels: Panel[] };
const from = new Date('2026-11-20T00:00:00.000Z');
const to = new Date('2026-11-21T00:00:00.000Z');
const at = (hours: number) => new Date(from.getTime() + hours * 3_600_000);

/** What Grafana's PostgreSQL data source sends for the macros this dashboard uses. */
function expandMacros(rawSql: string, schema: string): string {
  return rawSql
    .replaceAll('${schema}', schema)
    .replace(/\$__timeGroupAlias\((\w+), \$__interval\)/g, 'floor(extract(epoch from $1)/3600)*3600 AS "time"')
    .replace(/\$__timeFilter\((\w+)\)/g, `$1 BETWEEN '${from.toISOString()}' AND '${to.toISOString()}'`);
}

function analysis(testName: string, driftPercentage: number, hours: number): NewDriftAnalysis {
  return {
    testName,
    category: 'ui',
    baselineConfidence: 0.9,
    currentConfidence: 0.9 * (1 - driftPercentage),
    driftPercentage,
    driftAbsolute: 0.9 * driftPercentage,
    severity: driftPercentage > 0.2 ? 'HIGH' : 'NONE',
    direction: driftPercentage > 0.02 ? 'DECREASING' : 'STABLE',
    trend: 'stable',
    measurementsCount: 10,
    timeSpanSeconds: 3600,
    recommendations: [],
    kind: driftPercentage > 0.2 ? 'MEAN_SHIFT' : null,
    pValue: 0.01,
    changePointAt: null,
    analyzedAt: at(hours),
  };
}

const test = storeTest('postgres');

describe('the Grafana dashboard', () => {
  test('has the panels the operators asked for', () => {
    expect(dashboard.panels.map((p) => p.title)).toStrictEqual([
      'Drift over time (largest drift per test)',
      'Confidence by category',
      'Tests with recent drift (> 5 %)',
      'Alerts by severity',
      'Unacknowledged alerts',
      'Open alerts',
    ]);
  });

  test('every panel query returns the expected rows', async ({ store, database }) => {
    if (database.config.backend !== 'postgres') throw new Error('postgres only');
    await store.recordMeasurements([
      { testName: 'login', confidence: 0.8, category: 'auth', timestamp: at(1) },
      { testName: 'login', confidence: 0.6, category: 'auth', timestamp: at(1.5) },
      { testName: 'cart', confidence: 0.9, category: null, timestamp: at(2) },
      { testName: 'old', confidence: 0.1, category: 'auth', timestamp: at(-48) },
    ]);
    await store.saveAnalyses([analysis('login', 0.3, 1), analysis('login', 0.25, 2), analysis('cart', 0.01, 2), analysis('old', 0.5, -48)]);
    const alert = (testName: string, severity: 'HIGH' | 'CRITICAL' | 'MEDIUM', hours: number) =>
      store.createAlert({ testName, category: 'auth', severity, driftPercentage: 0.3, message: `${testName} drifted`, recommendations: [], createdAt: at(hours) });
    const acked = await alert('login', 'HIGH', 1);
    await store.acknowledgeAlert(acked.id, 'ana', at(3));
    await alert('login', 'CRITICAL', 2);
    await alert('cart', 'MEDIUM', 3);
    await alert('cart', 'MEDIUM', -48);

    const { url, schema } = database.config;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const run = async (index: number) => (await client.query(expandMacros(dashboard.panels[index]!.targets[0]!.rawSql, schema))).rows;
      const epoch = (hours: number) => String(Math.floor(at(hours).getTime() / 3_600_000) * 3600);
      const time = (rows: { time: unknown }[]) => rows.map((r) => ({ ...r, time: String(r.time) }));

      expect(time(await run(0))).toStrictEqual([
        { time: epoch(1), metric: 'login', value: 0.3 },
        { time: epoch(2), metric: 'cart', value: 0.01 },
        { time: epoch(2), metric: 'login', value: 0.25 },
      ]);
      expect(time(await run(1))).toStrictEqual([
        { time: epoch(1), metric: 'auth', value: expect.closeTo(0.7, 10) },
        { time: epoch(2), metric: 'uncategorised', value: 0.9 },
      ]);
      expect((await run(2)).map((r) => [r.test_name, r.drift_percentage, r.analyzed_at])).toStrictEqual([['login', 0.25, at(2)]]);
      expect(await run(3)).toStrictEqual([
        { severity: 'MEDIUM', alerts: '1' },
        { severity: 'HIGH', alerts: '1' },
        { severity: 'CRITICAL', alerts: '1' },
      ]);
      expect(await run(4)).toStrictEqual([{ unacknowledged: '3' }]);
      expect((await run(5)).map((r) => [r.test_name, r.severity])).toStrictEqual([
        ['cart', 'MEDIUM'],
        ['login', 'CRITICAL'],
      ]);

      // Retention deletes login's first measurement and keeps its second, in the same hour: the
      // confidence by category still covers both, from the history beside the summaries.
      expect((await store.cleanup({ measurementsDays: 1, analysisDays: 30, alertsDays: 30 }, new Date(at(1.25).getTime() + 86_400_000))).measurements).toBe(2);
      expect(time(await run(1))).toStrictEqual([
        { time: epoch(1), metric: 'auth', value: expect.closeTo(0.7, 10) },
        { time: epoch(2), metric: 'uncategorised', value: 0.9 },
      ]);
    } finally {
      await client.end();
    }
  });
});
