// Grafana and the copy command rely on both dialects having the same tables, columns and indexes.
import { getTableConfig as pgTableConfig } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig } from 'drizzle-orm/sqlite-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as pg from '../../src/db/pg/schema.js';
import * as sqlite from '../../src/db/sqlite/schema.js';

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function shape(config: {
  name: string;
  columns: { name: string; notNull: boolean; primary: boolean }[];
  indexes: { config: { name?: string; columns: unknown[] } }[];
  primaryKeys: { getName(): string; columns: { name: string }[] }[];
}) {
  return {
    table: config.name,
    columns: config.columns.map((c) => ({ name: snake(c.name), notNull: c.notNull, primary: c.primary })),
    indexes: config.indexes.map((i) => i.config.name).sort(),
    primaryKeys: config.primaryKeys.map((key) => ({ name: key.getName(), columns: key.columns.map((c) => snake(c.name)) })),
  };
}

describe('the two dialect schemas', () => {
  it('export the same tables', () => {
    expect(Object.keys(pg).sort()).toStrictEqual(Object.keys(sqlite).sort());
  });

  for (const key of Object.keys(pg) as (keyof typeof pg)[]) {
    it(`agree on ${key}: table, columns, nullability and indexes`, () => {
      const left = shape(pgTableConfig(pg[key]));
      const right = shape(sqliteTableConfig(sqlite[key]));
      expect(left.columns.length).toBeGreaterThanOrEqual(3);
      // Every table is keyed: by an index, a composite primary key or a primary key column.
      expect(left.indexes.length + left.primaryKeys.length + left.columns.filter((c) => c.primary).length).toBeGreaterThanOrEqual(1);
      expect(left).toStrictEqual(right);
    });
  }

  it('use the table names Grafana queries', () => {
    expect(Object.values(pg).map((t) => pgTableConfig(t).name).sort()).toStrictEqual([
      'confidence_measurements',
      'drift_alerts',
      'drift_analysis',
      'drift_detector_state',
      'hourly_confidence',
      'hourly_confidence_history',
      'test_analysis_marks',
      'test_summaries',
    ]);
  });
});

// Checked by `npm run typecheck`: the shared store (src/store/sql-store.ts) writes each query once
// against pg-core's types and runs it on SQLite too, which is sound only while the rows agree.
describe('the two dialect schemas, as types', () => {
  it('read and write the same row shapes', () => {
    expectTypeOf<typeof sqlite.confidenceMeasurements.$inferSelect>().toEqualTypeOf<typeof pg.confidenceMeasurements.$inferSelect>();
    expectTypeOf<typeof sqlite.driftAnalysis.$inferSelect>().toEqualTypeOf<typeof pg.driftAnalysis.$inferSelect>();
    expectTypeOf<typeof sqlite.driftAlerts.$inferSelect>().toEqualTypeOf<typeof pg.driftAlerts.$inferSelect>();
    expectTypeOf<typeof sqlite.confidenceMeasurements.$inferInsert>().toEqualTypeOf<typeof pg.confidenceMeasurements.$inferInsert>();
    expectTypeOf<typeof sqlite.driftAnalysis.$inferInsert>().toEqualTypeOf<typeof pg.driftAnalysis.$inferInsert>();
    expectTypeOf<typeof sqlite.driftAlerts.$inferInsert>().toEqualTypeOf<typeof pg.driftAlerts.$inferInsert>();
    expectTypeOf<typeof sqlite.driftDetectorState.$inferSelect>().toEqualTypeOf<typeof pg.driftDetectorState.$inferSelect>();
    expectTypeOf<typeof sqlite.driftDetectorState.$inferInsert>().toEqualTypeOf<typeof pg.driftDetectorState.$inferInsert>();
    expectTypeOf<typeof sqlite.testSummaries.$inferSelect>().toEqualTypeOf<typeof pg.testSummaries.$inferSelect>();
    expectTypeOf<typeof sqlite.hourlyConfidence.$inferSelect>().toEqualTypeOf<typeof pg.hourlyConfidence.$inferSelect>();
    expectTypeOf<typeof sqlite.testAnalysisMarks.$inferSelect>().toEqualTypeOf<typeof pg.testAnalysisMarks.$inferSelect>();
  });
});
