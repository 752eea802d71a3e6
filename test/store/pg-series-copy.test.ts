// The binary read of the series on PostgreSQL (COPY ... format binary) against the database's own
// arithmetic: microsecond instants the API never writes (an adopted CrossBridge database has them),
// either side of 1970 and 2000 and at the far ends of the calendar, and names that need quoting.
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { SeriesCopyDecoder, seriesCopySql } from '../../src/store/pg-series-copy.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, readRaw, type TestDatabase } from '../support/test-stores.js';
import { seededRandom } from '../drift/seeded-random.js';

const names = ["it's", 'back\\slash', 'ünï', 'plain', 'e2e: "quoted"'];
const instants = [
  '0001-01-01 00:00:00.000001+00',
  '1969-12-31 23:59:59.999999+00',
  '1970-01-01 00:00:00.000500+00',
  '1999-12-31 23:59:59.999500+00',
  '2000-01-01 00:00:00+00',
  '2026-11-24 12:00:00.123456+00',
  '2150-06-01 00:00:00.000999+00',
  '9999-12-31 23:59:59.999999+00',
];

describe('the series read on postgres, in binary', () => {
  let database: TestDatabase;
  let store: Store;
  let config: Extract<DatabaseConfig, { backend: 'postgres' }>;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    store = await openStore(database.config);
    config = database.config as typeof config;
    // Straight into the table, as an adopted database holds them: the API writes whole milliseconds.
    const values = names.flatMap((name, n) => instants.map((at, i) => `(${pg.escapeLiteral(name)}, ${(n * 10 + i) / 97}, '${at}'::timestamptz)`));
    await readRaw(config, `insert into confidence_measurements (test_name, confidence, "timestamp") values ${values.join(', ')}`);
  });

  afterAll(async () => {
    await store.close();
    await database.destroy();
  });

  it('reads every double and instant as the text read does: epoch milliseconds rounded down', async () => {
    const expected = await readRaw(
      config,
      `select test_name, confidence, floor(extract(epoch from "timestamp") * 1000)::float8 as ms from confidence_measurements order by test_name, "timestamp"`,
    );
    const read = await store.seriesOfTests([...names, 'nope']);
    const got = read
      .flatMap((series) => Array.from(series.confidences, (confidence, i) => ({ test_name: series.testName, confidence, ms: series.timestamps[i] })))
      .sort((a, b) => (a.test_name < b.test_name ? -1 : a.test_name > b.test_name ? 1 : a.ms! - b.ms!));
    expect(got).toStrictEqual(expected);
    expect(got).toHaveLength(names.length * instants.length);
    // Two of the instants are before 1970 by less than a millisecond: rounded down, not towards zero.
    expect(got.filter((row) => row.test_name === 'plain').map((row) => row.ms)).toContain(-1);
  });

  it('takes the category of the summary whose last instant is later, to the microsecond', async () => {
    await store.recordMeasurements([
      { testName: 'mu', category: 'a', confidence: 0.5, timestamp: new Date('2026-11-24T12:00:00.000Z') },
      { testName: 'mu', category: 'b', confidence: 0.6, timestamp: new Date('2026-11-24T12:00:00.001Z') },
    ]);
    const lastSeen = async (a: string, b: string) => {
      await readRaw(config, `update test_summaries set last_seen = case category_key when 'a' then '${a}'::timestamptz else '${b}'::timestamptz end where test_name = 'mu'`);
      return (await store.seriesOfTests(['mu']))[0]!.category;
    };
    // Both within the same millisecond, which a Date cannot tell apart.
    expect(await lastSeen('2026-11-24 12:00:00.000900+00', '2026-11-24 12:00:00.000100+00')).toBe('a');
    expect(await lastSeen('2026-11-24 12:00:00.000100+00', '2026-11-24 12:00:00.000900+00')).toBe('b');
  });

  it('decodes a test of 300,000 points arriving in 64 KiB pieces', () => {
    const points = 300_000;
    const array = (oid: number, write: (bytes: Buffer, at: number, i: number) => void) => {
      const bytes = Buffer.alloc(20 + points * 12);
      [1, 0, oid, points, 1].forEach((value, i) => bytes.writeInt32BE(value, 4 * i));
      for (let i = 0; i < points; i++) {
        bytes.writeInt32BE(8, 20 + i * 12);
        write(bytes, 24 + i * 12, i);
      }
      return bytes;
    };
    const field = (bytes: Buffer) => {
      const length = Buffer.alloc(4);
      length.writeInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    };
    const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
    const row = Buffer.concat([
      Buffer.from([0, 3]),
      field(Buffer.from('big')),
      field(array(701, (bytes, at, i) => bytes.writeDoubleBE(i / points, at))),
      field(array(1184, (bytes, at, i) => bytes.writeBigInt64BE(BigInt(i) * 1000n, at))),
    ]);
    const bytes = Buffer.concat([header, row, Buffer.from([255, 255])]);
    const decoder = new SeriesCopyDecoder();
    for (let at = 0; at < bytes.length; at += 65_536) decoder.push(bytes.subarray(at, at + 65_536));
    const [series] = decoder.end();
    expect(series!.testName).toBe('big');
    expect(series!.confidences.length).toBe(points);
    expect([series!.confidences[0], series!.confidences[points - 1]]).toStrictEqual([0, (points - 1) / points]);
    // Microsecond i * 1000 after 2000-01-01 is millisecond i.
    expect([series!.timestamps[0], series!.timestamps[points - 1]]).toStrictEqual([Date.UTC(2000, 0, 1), Date.UTC(2000, 0, 1) + points - 1]);
  });

  it('decodes the same whatever pieces the bytes arrive in', async () => {
    const client = new pg.Client({ connectionString: config.url, options: `-c search_path=${config.schema}` });
    await client.connect();
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of client.query(copyTo(seriesCopySql(names, new Date('1970-01-01T00:00:00Z'))))) chunks.push(chunk as Buffer);
    } finally {
      await client.end();
    }
    const bytes = Buffer.concat(chunks);
    const whole = new SeriesCopyDecoder();
    whole.push(bytes);
    const expected = whole.end();
    expect(expected.map((series) => [series.testName, series.timestamps.length]).sort()).toStrictEqual(names.map((name) => [name, 6]).sort());
    const random = seededRandom(3);
    for (const largest of [1, 3, 17, 64]) {
      const decoder = new SeriesCopyDecoder();
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(random() * largest);
        decoder.push(bytes.subarray(at, at + size));
        at += size;
      }
      expect(decoder.end()).toStrictEqual(expected);
    }
    const cut = new SeriesCopyDecoder();
    cut.push(bytes.subarray(0, bytes.length - 5));
    expect(() => cut.end()).toThrow('the series copy ended inside a row');
  });
});
