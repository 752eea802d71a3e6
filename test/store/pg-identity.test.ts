// Ids on PostgreSQL while an import runs beside new rows: the import moves the id sequence past
// the ids it brings, never back below ids an uncommitted insert has drawn, so that insert's rows
// keep ids in the order given, and later rows do not collide with them.
import { describe, expect } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { DriftAnalysis, NewDriftAnalysis } from '../../src/store/store.js';
import { gateInserts, readRaw, storeTest } from '../support/test-stores.js';

const test = storeTest('postgres');

const analysis = (testName: string): NewDriftAnalysis => ({
  testName,
  category: null,
  baselineConfidence: 0.9,
  currentConfidence: 0.5,
  driftPercentage: 0.4,
  driftAbsolute: 0.4,
  severity: 'LOW',
  direction: 'DECREASING',
  trend: 'stable',
  measurementsCount: 10,
  timeSpanSeconds: 1,
  recommendations: [],
  kind: null,
  pValue: null,
  changePointAt: null,
  analyzedAt: new Date('2026-11-01T00:00:00.000Z'),
});

describe('ids while an import runs', () => {
  test('an import mid-insert leaves the insert its ids in order, each analysis its own row', async ({ store, database }) => {
    // Earlier analyses aged out: the sequence stands past every stored id.
    await store.saveAnalyses(Array.from({ length: 20 }, (_, i) => analysis(`old${i}`)));
    await readRaw(database.config, 'delete from drift_analysis');
    const importer = await openStore(database.config);
    // The insert stops at its sixth row, five ids drawn and not yet visible to the import.
    const gate = await gateInserts(database.config, 'drift_analysis', "new.test_name = 't5'");
    try {
      const saving = store.saveAnalyses(Array.from({ length: 10 }, (_, i) => analysis(`t${i}`)));
      await gate.untilWaiting();
      expect(await importer.importRows('analyses', [{ ...analysis('imported'), id: 3 } as DriftAnalysis])).toBe(1);
      await gate.open();
      const saved = await saving;
      expect(saved.map((a) => a.id)).toStrictEqual(Array.from({ length: 10 }, (_, i) => 21 + i));
      const stored = await store.getAnalyses(saved.map((a) => a.id));
      expect(stored.map((a) => a.testName)).toStrictEqual(saved.map((a) => a.testName));
      // And the next rows continue past all of them.
      const [next] = await store.saveAnalyses([analysis('next')]);
      expect(next!.id).toBe(31);
    } finally {
      await gate.end();
      await importer.close();
    }
  });
});
