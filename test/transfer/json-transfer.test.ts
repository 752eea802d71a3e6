import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { InvalidInputError } from '../../src/store/errors.js';
import type { Store } from '../../src/store/store.js';
import { exportJson } from '../../src/transfer/json-export.js';
import { copyStore } from '../../src/transfer/copy.js';
import { importJson } from '../../src/transfer/json-import.js';
import { backends, createTestDatabase, insertRawMeasurements, migrateUpTo, storeTest } from '../support/test-stores.js';

const t0 = Date.parse('2026-11-01T00:00:00.000Z');
const hourMs = 3_600_000;

async function seed(store: Store) {
  // Three hours a cleanup took: only the history keeps them. 'UI' comes before 'api-Ü' in code
  // units, after it in most collations.
  await store.recordMeasurements([
    { testName: 'login', confidence: 0.2, timestamp: new Date(t0 - 3 * hourMs), category: 'api-Ü' },
    { testName: 'login', confidence: 0.4, timestamp: new Date(t0 - 3 * hourMs + 1000), category: 'api-Ü' },
    { testName: 'checkout ✓', confidence: 0.7, timestamp: new Date(t0 - 3 * hourMs), category: 'UI' },
    { testName: 'login', confidence: 0.3, timestamp: new Date(t0 - 2 * hourMs) },
  ]);
  await store.cleanup({ measurementsDays: 1, analysisDays: 3650, alertsDays: 3650 }, new Date(t0 - hourMs + 86_400_000));
  await store.recordMeasurements(
    Array.from({ length: 130 }, (_, i) => ({
      testName: i % 2 ? 'checkout ✓' : 'login',
      confidence: (i % 11) / 10,
      category: i % 3 ? 'ui' : null,
      timestamp: new Date(t0 + i * 1000),
      failureId: i % 5 ? null : `F-${i}`,
      ruleScore: i % 4 ? 0.5 : null,
    })),
  );
  await store.saveAnalyses([
    {
      testName: 'login',
      category: 'ui',
      baselineConfidence: 0.9,
      currentConfidence: 0.6,
      driftPercentage: 1 / 3,
      driftAbsolute: 0.3,
      severity: 'CRITICAL',
      direction: 'DECREASING',
      trend: 'degrading',
      measurementsCount: 65,
      timeSpanSeconds: 128,
      recommendations: ['Review the recent failures of login'],
      kind: 'FLAKINESS',
      pValue: 0.0001,
      changePointAt: new Date(t0 + 60_000),
      analyzedAt: new Date(t0 + 200_000),
    },
  ]);
  const alert = await store.createAlert({
    testName: 'login',
    category: 'ui',
    severity: 'CRITICAL',
    driftPercentage: 1 / 3,
    message: 'login: confidence fell from 0.90 to 0.60',
    recommendations: ['Review'],
    createdAt: new Date(t0 + 200_000),
  });
  await store.acknowledgeAlert(alert.id, 'ana', new Date(t0 + 300_000));
}

function tempFile(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'driftwatch-json-')), name);
}

async function exportToFile(store: Store, file: string, batchSize = 50) {
  const out = fs.createWriteStream(file);
  const counts = await exportJson(store, out, { batchSize });
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return counts;
}

/** The file minus its export time, for comparing two exports. */
function content(file: string) {
  const { exported_at: _, ...rest } = JSON.parse(fs.readFileSync(file, 'utf8'));
  return rest;
}

for (const backend of backends) {
  describe(`JSON export and import on ${backend}`, () => {
    const test = storeTest(backend);

    test('exports the seed layout with snake_case rows', async ({ store }) => {
      await seed(store);
      const file = tempFile('export.json');
      expect(await exportToFile(store, file)).toStrictEqual({ measurements: 130, analyses: 1, alerts: 1, history: 3 });
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(Object.keys(json)).toStrictEqual(['format', 'exported_at', 'measurements', 'analyses', 'alerts', 'history']);
      const hour = (at: number, category: string | null, confidences: number[]) => ({
        hour: new Date(at).toISOString(),
        category,
        measurements_count: confidences.length,
        confidence_sum: expect.closeTo(confidences.reduce((sum, c) => sum + c, 0), 12),
        min_confidence: Math.min(...confidences),
        max_confidence: Math.max(...confidences),
      });
      // By hour, then category in code unit order, whatever the database's collation.
      expect(json.history).toStrictEqual([hour(t0 - 3 * hourMs, 'UI', [0.7]), hour(t0 - 3 * hourMs, 'api-Ü', [0.2, 0.4]), hour(t0 - 2 * hourMs, null, [0.3])]);
      // Read a row (the history: an hour) at a time, the file is the same.
      const paged = tempFile('paged.json');
      await exportToFile(store, paged, 1);
      expect(content(paged)).toStrictEqual(content(file));
      expect(json.measurements[0]).toStrictEqual({
        id: json.measurements[0].id,
        test_name: 'login',
        confidence: 0,
        category: null,
        timestamp: '2026-11-01T00:00:00.000Z',
        failure_id: 'F-0',
        rule_score: null,
        signal_score: null,
        created_at: json.measurements[0].created_at,
      });
      expect(json.alerts[0]).toMatchObject({ acknowledged: true, acknowledged_by: 'ana', acknowledged_at: '2026-11-01T00:05:00.000Z' });
    });

    test('streams the history a batch of rows at a time, whole hours each', async ({ store }) => {
      await seed(store);
      const batches = async (size: number) => {
        const sizes: number[] = [];
        for await (const batch of store.streamRows('history', size)) sizes.push(batch.length);
        return sizes;
      };
      // The first hour holds two rows and the second one: two make a batch, three make one, one is still an hour.
      expect(await batches(2)).toStrictEqual([2, 1]);
      expect(await batches(3)).toStrictEqual([3]);
      expect(await batches(1)).toStrictEqual([2, 1]);
    });

    test('exports every table as it stood when the export began, though a cleanup commits meanwhile', async ({ store }) => {
      await store.recordMeasurements([
        { testName: 'old', confidence: 0.2, timestamp: new Date(t0 - 3 * hourMs) },
        { testName: 'old', confidence: 0.4, timestamp: new Date(t0 - 3 * hourMs + 1000) },
        { testName: 'new', confidence: 0.9, timestamp: new Date(t0) },
      ]);
      // Once the measurements are written out, a cleanup moves the old ones into the history before
      // the export reads on: read apart, they would be in the file twice, as rows and as history.
      let text = '';
      let cleaned = false;
      const output = new Writable({
        highWaterMark: 1,
        write(chunk, _encoding, done) {
          text += String(chunk);
          if (cleaned || !text.includes('"analyses"')) return done();
          cleaned = true;
          store.cleanup({ measurementsDays: 1, analysisDays: 3650, alertsDays: 3650 }, new Date(t0 - hourMs + 86_400_000)).then(() => done(), done);
        },
      });
      expect(await exportJson(store, output, { batchSize: 1 })).toStrictEqual({ measurements: 3, analyses: 0, alerts: 0, history: 0 });
      expect(cleaned).toBe(true);
      expect(await store.countRows('history')).toBe(1);
      expect(JSON.parse(text).history).toStrictEqual([]);
    });

    for (const target of backends) {
      test(`round-trips into ${target} with identical content, and a second import adds nothing`, async ({ store }) => {
        await seed(store);
        const first = tempFile('first.json');
        await exportToFile(store, first);
        const database = await createTestDatabase(target);
        const copy = await openStore(database.config);
        try {
          const result = await importJson(copy, first, { batchSize: 40 });
          expect(result).toStrictEqual({
            inserted: { measurements: 130, analyses: 1, alerts: 1, history: 3 },
            skipped: { measurements: 0, analyses: 0, alerts: 0, history: 0 },
          });
          const again = await importJson(copy, first);
          expect(again.inserted).toStrictEqual({ measurements: 0, analyses: 0, alerts: 0, history: 0 });
          const second = tempFile('second.json');
          await exportToFile(copy, second);
          expect(content(second)).toStrictEqual(content(first));
        } finally {
          await copy.close();
          await database.destroy();
        }
      });
    }

    test('a file with one bad row imports nothing and names the row', async ({ store }) => {
      const file = tempFile('bad.json');
      const row = (id: number, confidence: number) => ({
        id,
        test_name: 't',
        confidence,
        category: null,
        timestamp: '2026-11-01T00:00:00Z',
        failure_id: null,
        rule_score: null,
        signal_score: null,
        created_at: '2026-11-01T00:00:00Z',
      });
      fs.writeFileSync(file, JSON.stringify({ measurements: [row(1, 0.5), row(2, 0.5), row(3, 7)] }));
      const error = await importJson(store, file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).issues).toStrictEqual([{ path: 'measurements.2.confidence', message: 'Too big: expected number to be <=1' }]);
      expect(await store.countRows('measurements')).toBe(0);
    });

    test('a history hour that no measurements could have made imports nothing and is named', async ({ store }) => {
      const file = tempFile('history.json');
      const hour = (at: string, fields: object = {}) => ({ hour: at, category: 'ui', measurements_count: 2, confidence_sum: 1, min_confidence: 0.4, max_confidence: 0.6, ...fields });
      fs.writeFileSync(
        file,
        JSON.stringify({
          history: [
            hour('2026-11-01T00:00:00Z'),
            hour('2026-11-01T00:30:00Z'),
            hour('2026-11-01T01:00:00Z', { min_confidence: 0.7 }),
            hour('2026-11-01T02:00:00Z', { confidence_sum: 1.5 }),
            hour('2026-11-01T00:00:00Z', { category: 'ui' }),
          ],
        }),
      );
      const error = await importJson(store, file).catch((e: unknown) => e);
      expect((error as InvalidInputError).issues).toStrictEqual([
        { path: 'history.1.hour', message: 'must be the start of a UTC hour' },
        { path: 'history.2.min_confidence', message: 'must not exceed max_confidence' },
        { path: 'history.3.confidence_sum', message: 'must lie between measurements_count times min_confidence and times max_confidence' },
        { path: 'history.4', message: 'has the hour and category of history.0' },
      ]);
      expect(await store.countRows('history')).toBe(0);
    });

    test('a NUL at row 3,000 is found before anything is written: nothing imported, the row named', async ({ store }) => {
      const file = tempFile('nul.json');
      const measurements = Array.from({ length: 3000 }, (_, i) => ({
        test_name: i === 2999 ? 'bad\u0000name' : `t${i % 7}`,
        confidence: 0.5,
        timestamp: new Date(t0 + i * 1000).toISOString(),
      }));
      const alerts = [{ id: 1, test_name: 't', severity: 'HIGH', drift_percentage: 0.2, message: 'm\u0000', recommendations: [], created_at: '2026-11-01T00:00:00Z', acknowledged: false }];
      fs.writeFileSync(file, JSON.stringify({ measurements, alerts }));
      const error = await importJson(store, file).catch((e: unknown) => e);
      expect((error as InvalidInputError).issues).toStrictEqual([
        { path: 'measurements.2999.test_name', message: 'must not contain NUL (U+0000)' },
        { path: 'alerts.0.message', message: 'must not contain NUL (U+0000)' },
      ]);
      expect(await store.countRows('measurements')).toBe(0);
    });

    test('copy refuses, before writing, a source row from before the rules, naming its table and id', async ({ store }) => {
      const source = await createTestDatabase('sqlite');
      try {
        await migrateUpTo(source.config, Infinity);
        await insertRawMeasurements(source.config, [
          { id: 1, testName: 'fine', confidence: 0.5, timestamp: new Date(t0) },
          { id: 2, testName: 'nul\u0000inside', confidence: 0.5, timestamp: new Date(t0) },
        ]);
        const from = await openStore(source.config);
        try {
          const error = await copyStore(from, store).catch((e: unknown) => e);
          expect((error as InvalidInputError).issues).toStrictEqual([{ path: 'measurements id 2.test_name', message: 'must not contain NUL (U+0000)' }]);
          expect(await store.countRows('measurements')).toBe(0);
        } finally {
          await from.close();
        }
      } finally {
        await source.destroy();
      }
    });

    test('malformed JSON imports nothing', async ({ store }) => {
      const file = tempFile('broken.json');
      fs.writeFileSync(file, '{"measurements": [{"id": 1, ');
      await expect(importJson(store, file)).rejects.toBeInstanceOf(InvalidInputError);
      expect(await store.countRows('measurements')).toBe(0);
    });
  });
}
