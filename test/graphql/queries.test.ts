// Every contract query and mutation through yoga.fetch, on both backends, asserting real values.
import { describe, expect } from 'vitest';
import { backends } from '../support/test-stores.js';
import { apiTest, type Api } from '../support/test-api.js';
import { stepBefore } from '../support/falling-series.js';

const now = Date.now();
const hoursAgo = (h: number) => new Date(now - h * 3_600_000).toISOString();

// Each test has N hourly runs, the latest 21 hours ago: checkout holds 0.9 through the detector's
// warm-up, then falls to 0.6 for its last ten; login holds 0.9 throughout.
const N = stepBefore + 10;
// checkout's mean: (0.9 x warm-up + 0.6 x 10) / N
const checkoutAverage = (0.9 * stepBefore + 0.6 * 10) / N;

async function seedFallingAndStable(api: Api) {
  const rows = [
    ...Array.from({ length: N }, (_, i) => ({ testName: 'checkout', confidence: i < stepBefore ? 0.9 : 0.6, category: 'payments', timestamp: hoursAgo(N + 20 - i), failureId: i === N - 5 ? 'F-15' : null })),
    ...Array.from({ length: N }, (_, i) => ({ testName: 'login', confidence: 0.9, category: 'auth', timestamp: hoursAgo(N + 20 - i), ruleScore: 0.8, signalScore: 0.95 })),
  ];
  const result = await api.gql(`mutation($input: [RecordMeasurementInput!]!) { recordMeasurements(input: $input) { count } }`, { input: rows });
  expect(result.data).toStrictEqual({ recordMeasurements: { count: 2 * N } });
}

for (const backend of backends) {
  describe(`GraphQL on ${backend}`, () => {
    const test = apiTest(backend);

    test('records one measurement and reads it back by node id', async ({ api }) => {
      const recorded = await api.gql(
        `mutation { recordMeasurement(input: { testName: "login ✓", confidence: 0.875, category: "auth", timestamp: "2026-11-20T10:00:00+02:00", failureId: "F-1", ruleScore: 0.5, signalScore: 0.25 }) {
          id testName confidence category timestamp failureId ruleScore signalScore createdAt } }`,
      );
      const measurement = recorded.data!.recordMeasurement;
      expect(measurement).toMatchObject({
        testName: 'login ✓',
        confidence: 0.875,
        category: 'auth',
        timestamp: '2026-11-20T08:00:00.000Z',
        failureId: 'F-1',
        ruleScore: 0.5,
        signalScore: 0.25,
      });
      const node = await api.gql(`query($id: ID!) { node(id: $id) { id ... on Measurement { testName confidence } } }`, { id: measurement.id });
      expect(node.data).toStrictEqual({ node: { id: measurement.id, testName: 'login ✓', confidence: 0.875 } });
    });

    test('pages measurements forward and back with totals', async ({ api }) => {
      await seedFallingAndStable(api);
      const page = `query($first: Int, $after: String, $last: Int, $before: String) {
        measurements(filter: { testName: "checkout" }, first: $first, after: $after, last: $last, before: $before) {
          totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { confidence timestamp } } } }`;
      const seen: string[] = [];
      let after: string | undefined;
      // pages of 7, the last one short
      const pages = Math.ceil(N / 7);
      for (let i = 0; i < pages; i++) {
        const result = await api.gql(page, { first: 7, after });
        const connection = result.data!.measurements;
        expect(connection.totalCount).toBe(N);
        seen.push(...connection.edges.map((e: { node: { timestamp: string } }) => e.node.timestamp));
        after = connection.pageInfo.endCursor;
        expect(connection.pageInfo.hasNextPage).toBe(i < pages - 1);
      }
      expect(seen).toHaveLength(N);
      expect([...seen].sort().reverse()).toStrictEqual(seen); // newest first, no repeats
      const back = await api.gql(page, { last: 5 });
      const oldest = back.data!.measurements;
      expect(oldest.edges.map((e: { node: { timestamp: string } }) => e.node.timestamp)).toStrictEqual(seen.slice(N - 5));
      const before = await api.gql(page, { last: 5, before: oldest.pageInfo.startCursor });
      expect(before.data!.measurements.edges.map((e: { node: { timestamp: string } }) => e.node.timestamp)).toStrictEqual(seen.slice(N - 10, N - 5));
    });

    test('lists tracked tests with aggregates, their measurements, and a search', async ({ api }) => {
      await seedFallingAndStable(api);
      const result = await api.gql(`{
        tests(first: 10) { totalCount edges { node { testName category measurementsCount latestConfidence averageConfidence firstSeen lastSeen
          measurements(first: 2) { totalCount edges { node { confidence } } } } } }
        one: test(testName: "login") { testName measurementsCount }
        none: test(testName: "nope") { testName }
        searched: tests(search: "CHECK") { edges { node { testName } } }
      }`);
      expect(result.errors).toBeUndefined();
      const [checkout, login] = result.data!.tests.edges.map((e: { node: unknown }) => e.node);
      expect(result.data!.tests.totalCount).toBe(2);
      expect(checkout).toStrictEqual({
        testName: 'checkout',
        category: 'payments',
        measurementsCount: N,
        latestConfidence: 0.6,
        averageConfidence: expect.closeTo(checkoutAverage, 10),
        firstSeen: hoursAgo(N + 20),
        lastSeen: hoursAgo(21),
        measurements: { totalCount: N, edges: [{ node: { confidence: 0.6 } }, { node: { confidence: 0.6 } }] },
      });
      expect(login).toMatchObject({ testName: 'login', averageConfidence: expect.closeTo(0.9, 10) });
      expect(result.data!.one).toStrictEqual({ testName: 'login', measurementsCount: N });
      expect(result.data!.none).toBeNull();
      expect(result.data!.searched.edges).toStrictEqual([{ node: { testName: 'checkout' } }]);
    });

    test('previews drift without storing, analyses, alerts, acknowledges and reports statistics', async ({ api }) => {
      await seedFallingAndStable(api);
      const preview = await api.gql(`{ driftAnalysis(testName: "checkout") { id stored severity direction driftPercentage pValue changePointAt thresholds { low critical } } }`);
      expect(preview.data!.driftAnalysis).toMatchObject({ stored: false, severity: 'CRITICAL', direction: 'DECREASING', thresholds: { low: 0.05, critical: 0.3 } });
      expect(preview.data!.driftAnalysis.driftPercentage).toBeCloseTo(1 / 3, 10);
      expect(await api.store.countAnalyses({})).toBe(0);
      // The live analysis' id resolves again through node()
      const again = await api.gql(`query($id: ID!) { node(id: $id) { ... on DriftAnalysis { testName severity } } }`, { id: preview.data!.driftAnalysis.id });
      expect(again.data).toStrictEqual({ node: { testName: 'checkout', severity: 'CRITICAL' } });
      expect((await api.gql(`{ driftAnalysis(testName: "nope") { id } }`)).data).toStrictEqual({ driftAnalysis: null });

      const analyzed = await api.gql(`mutation { analyzeDrift { analyses { id testName severity stored } alerts { id testName severity message acknowledged } } }`);
      expect(analyzed.data!.analyzeDrift.analyses.map((a: { testName: string; severity: string; stored: boolean }) => [a.testName, a.severity, a.stored])).toStrictEqual([
        ['checkout', 'CRITICAL', true],
        ['login', 'NONE', true],
      ]);
      const [alert] = analyzed.data!.analyzeDrift.alerts;
      expect(alert).toMatchObject({ testName: 'checkout', severity: 'CRITICAL', acknowledged: false });
      expect(alert.message).toMatch(/^checkout: confidence fell from 0\.90 to 0\.60 \(-33\.3 %, CRITICAL\)/);

      const listed = await api.gql(`{
        analyses(filter: { minSeverity: HIGH }) { totalCount edges { node { testName } } }
        alerts(filter: { acknowledged: false }) { totalCount edges { node { id } } }
        tests { edges { node { testName latestAnalysis { severity } } } }
        statistics { totalTests totalMeasurements avgConfidence minConfidence maxConfidence unacknowledgedAlerts }
        payments: statistics(category: "payments") { totalTests avgConfidence }
      }`);
      expect(listed.data!.analyses).toStrictEqual({ totalCount: 1, edges: [{ node: { testName: 'checkout' } }] });
      expect(listed.data!.alerts).toStrictEqual({ totalCount: 1, edges: [{ node: { id: alert.id } }] });
      expect(listed.data!.tests.edges.map((e: { node: { latestAnalysis: { severity: string } } }) => e.node.latestAnalysis.severity)).toStrictEqual(['CRITICAL', 'NONE']);
      expect(listed.data!.statistics).toStrictEqual({ totalTests: 2, totalMeasurements: 2 * N, avgConfidence: expect.closeTo((checkoutAverage + 0.9) / 2, 10), minConfidence: 0.6, maxConfidence: 0.9, unacknowledgedAlerts: 1 });
      expect(listed.data!.payments).toStrictEqual({ totalTests: 1, avgConfidence: expect.closeTo(checkoutAverage, 10) });

      const ack = `mutation($id: ID!, $by: String) { acknowledgeAlert(id: $id, by: $by) { id acknowledged acknowledgedBy acknowledgedAt } }`;
      const first = await api.gql(ack, { id: alert.id, by: 'ana' });
      expect(first.data!.acknowledgeAlert).toMatchObject({ id: alert.id, acknowledged: true, acknowledgedBy: 'ana' });
      const second = await api.gql(ack, { id: alert.id, by: 'bob' });
      expect(second.data!.acknowledgeAlert).toStrictEqual(first.data!.acknowledgeAlert);
      expect((await api.gql(`{ statistics { unacknowledgedAlerts } }`)).data).toStrictEqual({ statistics: { unacknowledgedAlerts: 0 } });
    });

    test('cleanup, vacuum and database info', async ({ api }) => {
      await api.gql(`mutation { recordMeasurement(input: { testName: "old", confidence: 0.5, timestamp: "2020-01-01T00:00:00Z" }) { id } }`);
      await api.gql(`mutation { recordMeasurement(input: { testName: "new", confidence: 0.5 }) { id } }`);
      const cleaned = await api.gql(`mutation { cleanup { measurements analyses alerts } }`);
      expect(cleaned.data).toStrictEqual({ cleanup: { measurements: 1, analyses: 0, alerts: 0 } });
      const vacuumed = await api.gql(`mutation { vacuum }`);
      expect(vacuumed.data).toStrictEqual({ vacuum: true });
      const info = await api.gql(`{ database { backend sizeBytes schema } }`);
      expect(info.data!.database.backend).toBe(backend === 'sqlite' ? 'SQLITE' : 'POSTGRES');
      expect(info.data!.database.sizeBytes).toBeGreaterThan(0);
      expect(info.data!.database.schema === null).toBe(backend === 'sqlite');
    });
  });
}
