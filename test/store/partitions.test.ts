// Time partitioning of the measurements on PostgreSQL: conversion both ways, partitions made ahead,
// retention by dropping whole partitions, the environment's wish and `drift migrate --partition`.
import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { expiredComment } from '../../src/db/pg/partitions.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { databaseEnv, runCli } from '../support/run-cli.js';
import { createTestDatabase, readRaw, withPartition, type TestDatabase } from '../support/test-stores.js';

const dayMs = 86_400_000;

/** The partitions of confidence_measurements, by name, with how many rows each holds. */
async function partitionRows(config: DatabaseConfig): Promise<Record<string, number>> {
  const rows = await readRaw(
    config,
    `select c.relname as name, (select count(*) from confidence_measurements m where m.tableoid = c.oid) as n
     from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'confidence_measurements'::regclass order by c.relname`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}

async function layoutOf(config: DatabaseConfig): Promise<{ relkind: string; key: string; indexes: string[] }> {
  const [table] = await readRaw(
    config,
    `select relkind, pg_get_constraintdef(k.oid) as key from pg_class c join pg_constraint k on k.conrelid = c.oid and k.contype = 'p'
     where c.oid = 'confidence_measurements'::regclass`,
  );
  const indexes = await readRaw(config, `select indexname from pg_indexes where schemaname = current_schema() and tablename = 'confidence_measurements' order by 1`);
  return { relkind: String(table!.relkind), key: String(table!.key), indexes: indexes.map((i) => String(i.indexname)) };
}

/** Every table of the schema, attached or not, that holds the given week's measurements by its name. */
async function weekTables(config: DatabaseConfig, week: string): Promise<string[]> {
  const rows = await readRaw(config, `select relname from pg_class where relnamespace = current_schema()::regnamespace and relkind in ('r', 'p') and relname like 'confidence\\_measurements\\_w${week}%' order by 1`);
  return rows.map((row) => row.relname as string);
}

const location = (config: DatabaseConfig) => (config.backend === 'sqlite' ? config.path : `${config.url}${config.url.includes('?') ? '&' : '?'}schema=${config.schema}`);

const rowsInIdOrder = (config: DatabaseConfig) =>
  readRaw(config, 'select id, test_name, confidence, category, "timestamp", failure_id from confidence_measurements order by id');

describe('measurements partitioned on postgres', () => {
  let database: TestDatabase;
  const stores: Store[] = [];
  const open = async (config: DatabaseConfig) => {
    const store = await openStore(config);
    stores.push(store);
    return store;
  };

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await database.destroy();
  });

  it('converts a filled table to months and back, keeping every row, id, index and the identity', async () => {
    database = await createTestDatabase('postgres');
    const plain = await open(database.config);
    const now = Date.now();
    await plain.recordMeasurements([
      { testName: 'login', confidence: 0.9, category: 'auth', timestamp: new Date(now - 70 * dayMs), failureId: 'F-1' },
      { testName: 'login', confidence: 0.8, category: 'auth', timestamp: new Date(now - dayMs) },
      { testName: 'cart', confidence: 0.5, timestamp: new Date(now - 1000) },
      // Far outside any period a partition is made for: they wait in the default partition.
      { testName: 'ancient', confidence: 0.1, timestamp: new Date('1500-06-01T00:00:00Z') },
      { testName: 'future', confidence: 0.2, timestamp: new Date('9999-12-31T23:59:59.999Z') },
    ]);
    // The identity stands past the highest id left: deleted ids are never handed out again.
    const last = await plain.recordMeasurement({ testName: 'gone', confidence: 0.3, timestamp: new Date('0001-01-01T00:00:00Z') });
    expect((await plain.cleanup({ measurementsDays: 36_500, analysisDays: 1, alertsDays: 1 }, new Date('1200-01-01T00:00:00Z'))).measurements).toBe(1);
    // A read-only role for Grafana and a comment: a table made anew must keep them.
    const reader = `reader_${Math.random().toString(36).slice(2, 10)}`;
    for (const statement of [`create role ${reader}`, `grant select on confidence_measurements to ${reader}`, `comment on table confidence_measurements is 'raw runs'`]) {
      await readRaw(database.config, statement);
    }
    const settings = `select relacl::text[] as acl, pg_get_userbyid(relowner) as owner, obj_description(oid, 'pg_class') as comment from pg_class where oid = 'confidence_measurements'::regclass`;
    const [grantedBefore] = await readRaw(database.config, settings);
    expect(grantedBefore!.acl).toEqual(expect.arrayContaining([`${reader}=r/${grantedBefore!.owner}`]));
    const before = await rowsInIdOrder(database.config);
    const plainLayout = await layoutOf(database.config);
    expect(plainLayout).toMatchObject({ relkind: 'r', key: 'PRIMARY KEY (id)' });
    await plain.close();
    stores.length = 0;

    const env = databaseEnv(database.config);
    const converted = await runCli(['migrate', '--partition', 'month'], env);
    expect(converted).toMatchObject({ code: 0, stderr: '' });
    expect(converted.stdout).toMatch(/\nconverted partitioned by month: confidence_measurements in postgres/);
    expect(await rowsInIdOrder(database.config)).toStrictEqual(before);
    expect(await layoutOf(database.config)).toStrictEqual({ ...plainLayout, relkind: 'p', key: 'PRIMARY KEY (id, "timestamp")' });
    const partitions = await partitionRows(database.config);
    const monthOf = (at: number, ahead = 0) => {
      const start = new Date(at);
      start.setUTCMonth(start.getUTCMonth() + ahead, 1);
      return `confidence_measurements_${start.toISOString().slice(0, 7).replace('-', '_')}`;
    };
    expect(partitions['confidence_measurements_default']).toBe(2);
    expect(partitions[monthOf(now - 70 * dayMs)]).toBeGreaterThanOrEqual(1);
    // The current month and the two after it exist before anything is written to them.
    expect(Object.keys(partitions)).toEqual(expect.arrayContaining([monthOf(now), monthOf(now, 1), monthOf(now, 2)]));

    expect(await readRaw(database.config, settings)).toStrictEqual([grantedBefore]);
    const again = await runCli(['migrate', '--partition', 'month'], env);
    expect(again.stdout).toMatch(/\nalready partitioned by month:/);

    const store = await open(withPartition(database.config, 'month'));
    const next = await store.recordMeasurement({ testName: 'cart', confidence: 0.6, timestamp: new Date(now) });
    expect(next.id).toBe(last.id + 1);
    // A replacement and the summaries work through the partitions as before.
    await store.recordMeasurement({ testName: 'login', confidence: 0.4, category: 'auth', timestamp: new Date(now - 70 * dayMs) });
    expect((await store.listTests({ category: 'auth' }, { first: 10 })).items.map((t) => [t.testName, t.measurementsCount])).toStrictEqual([['login', 2]]);
    expect(await store.countMeasurements({})).toBe(6);
    await store.close();
    stores.length = 0;

    const back = await runCli(['migrate', '--partition', 'off'], env);
    expect(back.stdout).toMatch(/\nconverted unpartitioned:/);
    expect(await layoutOf(database.config)).toStrictEqual(plainLayout);
    expect(await partitionRows(database.config)).toStrictEqual({});
    expect((await rowsInIdOrder(database.config)).length).toBe(6);
    expect(await readRaw(database.config, settings)).toStrictEqual([grantedBefore]);
    await readRaw(database.config, `drop owned by ${reader}`);
    await readRaw(database.config, `drop role ${reader}`);
  });

  it('makes an empty table partitioned on start, and refuses to convert a filled one unasked', async () => {
    database = await createTestDatabase('postgres');
    const weekly = await open(withPartition(database.config, 'week'));
    expect((await layoutOf(database.config)).relkind).toBe('p');
    expect(Object.keys(await partitionRows(database.config)).filter((name) => /_w\d{4}_\d\d_\d\d$/.test(name))).toHaveLength(3);
    await weekly.recordMeasurement({ testName: 'login', confidence: 0.9 });
    await weekly.close();
    stores.length = 0;

    await expect(openStore(withPartition(database.config, 'month'))).rejects.toThrow(
      /confidence_measurements is partitioned by week, but DRIFT_PG_PARTITION is month\. Convert it with `drift migrate --partition month`/,
    );
    // Unset, the server takes the table as it is.
    const asItIs = await open(database.config);
    expect(await asItIs.countMeasurements({})).toBe(1);
  });

  it('makes the partitions ahead as time passes, and those of rows that waited in the default partition', async () => {
    database = await createTestDatabase('postgres');
    const store = await open(withPartition(database.config, 'month'));
    // Six years ago: history, within the ten years that get partitions.
    const year = new Date().getUTCFullYear() - 6;
    const early = new Date(`${year}-01-15T00:00:00Z`);
    await store.recordMeasurements([
      { testName: 'early', confidence: 0.5, timestamp: early },
      { testName: 'early', confidence: 0.6, timestamp: new Date(`${year}-03-31T23:59:59.999Z`) },
      { testName: 'early', confidence: 0.7, timestamp: new Date(`${year}-04-01T00:00:00Z`) },
    ]);
    expect((await partitionRows(database.config))['confidence_measurements_default']).toBe(3);

    expect(await store.maintainStorage(early)).toStrictEqual([`confidence_measurements_${year}_01`, `confidence_measurements_${year}_02`, `confidence_measurements_${year}_03`]);
    expect(await partitionRows(database.config)).toMatchObject({
      confidence_measurements_default: 1,
      [`confidence_measurements_${year}_01`]: 1,
      [`confidence_measurements_${year}_02`]: 0,
      [`confidence_measurements_${year}_03`]: 1,
    });
    expect(await store.maintainStorage(early)).toStrictEqual([]);
    expect(await store.countMeasurements({})).toBe(3);

    // A start makes the partitions of rows waiting in the default partition too (from ten years back).
    const other = await open(database.config);
    expect(await partitionRows(database.config)).toMatchObject({ confidence_measurements_default: 0, [`confidence_measurements_${year}_04`]: 1 });
    // Two instances at once take turns, a partition each turn: between them each partition is made once.
    const later = new Date(`${year}-06-15T00:00:00Z`);
    const made = await Promise.all([store.maintainStorage(later), other.maintainStorage(later)]);
    expect(made.flat().sort()).toStrictEqual([6, 7, 8].map((month) => `confidence_measurements_${year}_0${month}`));
    expect((await partitionRows(database.config))[`confidence_measurements_${year}_06`]).toBe(0);
  });

  it('with DRIFT_PG_RETENTION=rows, drops whole periods on cleanup, deletes the part period row by row, and keeps the summaries exact', async () => {
    database = await createTestDatabase('postgres');
    const store = await open(withPartition(database.config, 'week', 'rows'));
    const monday = Date.parse('2021-03-01T00:00:00Z');
    await store.maintainStorage(new Date(monday));
    await store.recordMeasurements(
      Array.from({ length: 21 }, (_, day) => ({ testName: day % 2 === 0 ? 'even' : 'odd', confidence: day / 20, timestamp: new Date(monday + day * dayMs + 3_600_000) })),
    );
    expect(await partitionRows(database.config)).toMatchObject({
      confidence_measurements_w2021_03_01: 7,
      confidence_measurements_w2021_03_08: 7,
      confidence_measurements_w2021_03_15: 7,
    });
    // Ten days and a half in: the first week goes whole, three days of the second row by row.
    const now = new Date(monday + 10.5 * dayMs + 30 * dayMs);
    const counts = await store.cleanup({ measurementsDays: 30, analysisDays: 30, alertsDays: 30 }, now);
    expect(counts.measurements).toBe(11);
    const left = await partitionRows(database.config);
    expect(left).not.toHaveProperty('confidence_measurements_w2021_03_01');
    expect(left).toMatchObject({ confidence_measurements_w2021_03_08: 3, confidence_measurements_w2021_03_15: 7 });
    expect((await store.listTests({}, { first: 10 })).items.map((t) => [t.testName, t.measurementsCount, t.firstSeen.toISOString()])).toStrictEqual([
      ['even', 5, '2021-03-13T01:00:00.000Z'],
      ['odd', 5, '2021-03-12T01:00:00.000Z'],
    ]);
    expect(await store.statistics({})).toMatchObject({ totalTests: 2, totalMeasurements: 10, minConfidence: 0.55, maxConfidence: 1 });
    expect(await readRaw(database.config, `select count(*) as n from hourly_confidence where hour < '2021-03-11T12:00:00Z'`)).toStrictEqual([{ n: 0 }]);

    // A cutoff on a period's first instant: the whole partition goes and nothing is left to delete row by row.
    const onBoundary = await store.cleanup({ measurementsDays: 30, analysisDays: 30, alertsDays: 30 }, new Date(Date.parse('2021-03-15T00:00:00Z') + 30 * dayMs));
    expect(onBoundary.measurements).toBe(3);
    expect(Object.keys(await partitionRows(database.config))).not.toContain('confidence_measurements_w2021_03_08');
    expect((await store.listTests({}, { first: 10 })).items.map((t) => [t.testName, t.measurementsCount, t.firstSeen.toISOString()])).toStrictEqual([
      ['even', 4, '2021-03-15T01:00:00.000Z'],
      ['odd', 3, '2021-03-16T01:00:00.000Z'],
    ]);
  });

  it('by default drops whole periods only on cleanup: the period the cutoff falls in stays until all of it is past', async () => {
    database = await createTestDatabase('postgres');
    const store = await open(withPartition(database.config, 'week'));
    const monday = Date.parse('2021-03-01T00:00:00Z');
    await store.maintainStorage(new Date(monday));
    await store.recordMeasurements(
      Array.from({ length: 21 }, (_, day) => ({ testName: day % 2 === 0 ? 'even' : 'odd', confidence: day / 20, timestamp: new Date(monday + day * dayMs + 3_600_000) })),
    );
    // Ten days and a half in: the first week goes, the second stays whole.
    const counts = await store.cleanup({ measurementsDays: 30, analysisDays: 30, alertsDays: 30 }, new Date(monday + 10.5 * dayMs + 30 * dayMs));
    expect(counts.measurements).toBe(7);
    expect(await partitionRows(database.config)).toMatchObject({ confidence_measurements_w2021_03_08: 7, confidence_measurements_w2021_03_15: 7 });
    expect(Object.keys(await partitionRows(database.config))).not.toContain('confidence_measurements_w2021_03_01');
    // Detached in the cleanup's transaction, dropped once it committed: no table of the week is left.
    expect(await weekTables(database.config, '2021_03_01')).toStrictEqual([]);
    expect(await store.statistics({})).toMatchObject({ totalTests: 2, totalMeasurements: 14, minConfidence: 0.35, maxConfidence: 1 });
    // The summaries the cut month keeps, counted from its rows: 2021-03-08 to 2021-03-21, 7 a test.
    expect((await store.listTests({}, { first: 10 })).items.map((t) => [t.testName, t.measurementsCount, t.firstSeen.toISOString()])).toStrictEqual([
      ['even', 7, '2021-03-09T01:00:00.000Z'],
      ['odd', 7, '2021-03-08T01:00:00.000Z'],
    ]);
    // A day later nothing more is whole past, so nothing goes; an expired week a crash left
    // between the commit and the drop (named and marked as retention leaves one) goes with the next
    // cleanup, or with upkeep. An operator's tables of like names stay.
    const leaveTable = async (name: string, marked: boolean) => {
      await readRaw(database.config, `create table ${name} (like confidence_measurements)`);
      if (marked) await readRaw(database.config, `comment on table ${name} is '${expiredComment}'`);
    };
    await leaveTable('confidence_measurements_w2021_02_22_expired', true);
    await leaveTable('confidence_measurements_w2021_02_01_expired', false);
    await leaveTable('confidence_measurements_w2021_02_08_archive_expired', true);
    expect((await store.cleanup({ measurementsDays: 30, analysisDays: 30, alertsDays: 30 }, new Date(monday + 11.5 * dayMs + 30 * dayMs))).measurements).toBe(0);
    expect(await weekTables(database.config, '2021_02_22')).toStrictEqual([]);
    await leaveTable('confidence_measurements_w2021_02_15_expired', true);
    expect(await weekTables(database.config, '2021_02_15')).toStrictEqual(['confidence_measurements_w2021_02_15_expired']);
    await store.maintainStorage(new Date(monday + 11.5 * dayMs));
    expect(await weekTables(database.config, '2021_02_15')).toStrictEqual([]);
    expect([...(await weekTables(database.config, '2021_02_01')), ...(await weekTables(database.config, '2021_02_08'))]).toStrictEqual([
      'confidence_measurements_w2021_02_01_expired',
      'confidence_measurements_w2021_02_08_archive_expired',
    ]);
  });

  it('copies into and out of a partitioned table, verified row for row', async () => {
    database = await createTestDatabase('postgres');
    const source = await createTestDatabase('sqlite');
    const back = await createTestDatabase('sqlite');
    // A day each from 1 January three years ago: history, within the ten years that get partitions.
    const year = new Date().getUTCFullYear() - 3;
    try {
      const plain = await openStore(source.config);
      await plain.recordMeasurements(
        Array.from({ length: 200 }, (_, i) => ({ testName: `t${i % 7}`, confidence: (i % 10) / 10, category: i % 2 ? 'ui' : null, timestamp: new Date(Date.UTC(year, 0, 1) + i * dayMs) })),
      );
      await plain.close();
      // The target is made partitioned first; copy takes the table as it finds it.
      await (await openStore(withPartition(database.config, 'month'))).close();
      const there = await runCli(['copy', '--from', location(source.config), '--to', location(database.config), '--json']);
      expect(JSON.parse(there.stdout)).toMatchObject({ copied: { measurements: 200 }, verified: true });
      // Copied history waits in the default partition until the next start or upkeep gives its periods partitions.
      expect((await partitionRows(database.config))['confidence_measurements_default']).toBeGreaterThan(100);
      await (await openStore(database.config)).close();
      expect(await partitionRows(database.config)).toMatchObject({ confidence_measurements_default: 0, [`confidence_measurements_${year}_01`]: 31 });
      const home = await runCli(['copy', '--from', location(database.config), '--to', location(back.config), '--json']);
      expect(JSON.parse(home.stdout)).toMatchObject({ copied: { measurements: 200 }, verified: true });
    } finally {
      await source.destroy();
      await back.destroy();
    }
  });

  it('skips an imported row whose id is stored, though the key of a partitioned table holds the instant too', async () => {
    database = await createTestDatabase('postgres');
    const store = await open(withPartition(database.config, 'month'));
    const stored = await store.recordMeasurement({ testName: 'a', confidence: 0.5, timestamp: new Date('2026-01-01T00:00:00Z') });
    const row = (id: number, testName: string, at: string) => ({ id, testName, confidence: 0.1, category: null, timestamp: new Date(at), failureId: null, ruleScore: null, signalScore: null, createdAt: new Date(at) });
    const inserted = await store.importRows('measurements', [
      row(stored.id, 'b', '2026-02-01T00:00:00Z'),
      row(stored.id + 10, 'c', '2026-03-01T00:00:00Z'),
      row(stored.id + 10, 'd', '2026-04-01T00:00:00Z'),
    ]);
    expect(inserted).toBe(1);
    expect(await readRaw(database.config, 'select id, test_name from confidence_measurements order by id')).toStrictEqual([
      { id: stored.id, test_name: 'a' },
      { id: stored.id + 10, test_name: 'c' },
    ]);
  });

  it('refuses --partition on SQLite, where there is nothing to partition', async () => {
    database = await createTestDatabase('sqlite');
    const result = await runCli(['migrate', '--partition', 'month'], databaseEnv(database.config));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--partition: partitioning is a PostgreSQL feature/);
  });
});
