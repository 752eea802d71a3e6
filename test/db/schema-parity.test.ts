// Grafana and the copy command rely on both dialects having the same tables, columns and indexes.
import { getTableConfig as pgTableConfig } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pg from '../../src/db/pg/schema.js';
import * as sqlite from '../../src/db/sqlite/schema.js';

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function shape(config: { name: string; columns: { name: string; notNull: boolean; primary: boolean }[]; indexes: { config: { name?: string; columns: unknown[] } }[] }) {
  return {
    table: config.name,
    columns: config.columns.map((c) => ({ name: snake(c.name), notNull: c.notNull, primary: c.primary })),
    indexes: config.indexes.map((i) => i.config.name).sort(),
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
      expect(left.columns.length).toBeGreaterThanOrEqual(9);
      expect(left.indexes.length).toBeGreaterThanOrEqual(3);
      expect(left).toStrictEqual(right);
    });
  }

  it('use the table names Grafana queries', () => {
    expect(Object.values(pg).map((t) => pgTableConfig(t).name).sort()).toStrictEqual([
      'confidence_measurements',
      'drift_alerts',
      'drift_analysis',
    ]);
  });
});
