// `drift migrate` on a database the original CrossBridge tool made: its tables become ours in place,
// once, in one transaction. Every row keeps its id; instants (naive UTC there) become real instants
// (microseconds kept on PostgreSQL; SQLite stores milliseconds, as Driftwatch does everywhere);
// the original's words become ours (the same mapping as src/transfer/crossbridge-vocabulary.ts);
// drift_metadata stays, with a row saying when Driftwatch adopted it. Our migration journal is
// written in the same transaction, so a second `drift migrate` finds a Driftwatch database and does nothing.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { crossbridgeTables, detectPgLayout, detectSqliteLayout, type Layout } from './detect-layout.js';
import { assertSchemaName, pgMigrationsFolder, type PgConnectionOptions } from './pg/connect.js';
import { sqliteMigrationsFolder } from './sqlite/connect.js';

export interface AdoptionCounts {
  measurements: number;
  analyses: number;
  alerts: number;
}

export type Adoption =
  | { status: 'adopted'; counts: AdoptionCounts; backup: string | null }
  | { status: 'not-crossbridge'; layout: Layout };

const old = (table: string) => `crossbridge_old_${table}`;

// The conversion writes our tables as the first three migrations leave them; the later migrations
// then carry the adopted rows forward (summaries and all) as they do any Driftwatch database's.
const conversionLayout = 3;

// The vocabulary in SQL; both dialects read it the same way.
export const severitySql = (column: string) =>
  `case upper(replace(${column}, 'DriftSeverity.', '')) when 'MODERATE' then 'MEDIUM' else upper(replace(${column}, 'DriftSeverity.', '')) end`;
export const directionSql = (column: string) => `case lower(${column}) when 'volatile' then 'STABLE' else upper(${column}) end`;
// volatile direction -> trend volatile, so the word survives; gradually_/strongly_ keep their strength in the recommendations the original wrote.
export const trendSql = (trend: string, direction: string) =>
  `case when lower(${direction}) = 'volatile' then 'volatile' when lower(${trend}) like '%\\_increasing' escape '\\' then 'improving' when lower(${trend}) like '%\\_decreasing' escape '\\' then 'degrading' else lower(${trend}) end`;
/** The category the test's latest measurement carries: the original keeps none on analyses or alerts. */
export const categoryOf = (measurements: string, testName: string, orderBy: string) =>
  `(select m.category from ${measurements} m where m.test_name = ${testName} order by ${orderBy} desc limit 1)`;

function refuseUnless(layout: Layout, where: string): void {
  if (layout.kind === 'foreign') throw new Error(`${where} holds tables Driftwatch does not know (${layout.tables.join(', ')}); not adopting it`);
}

/** Adopts an original SQLite file in place, after copying it to `<file>.before-driftwatch` unless told not to. */
export function adoptCrossbridgeSqlite(file: string, options: { backup: boolean }): Adoption {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such SQLite database`);
  const layout = detectSqliteLayout(file);
  refuseUnless(layout, `sqlite ${file}`);
  if (layout.kind !== 'crossbridge') return { status: 'not-crossbridge', layout };
  let backup: string | null = null;
  if (options.backup) {
    backup = `${file}.before-driftwatch`;
    // Never overwrite an earlier backup: it may be the only copy of the original.
    if (fs.existsSync(backup)) throw new Error(`${backup} already exists: move it away first, or pass --no-backup`);
    fs.copyFileSync(file, backup, fs.constants.COPYFILE_EXCL);
  }
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    const ms = (column: string) =>
      `(cast(strftime('%s', ${column}) as integer) * 1000 + case when length(${column}) > 19 then cast(substr(${column} || '000', 21, 3) as integer) else 0 end)`;
    const adopt = db.transaction((): AdoptionCounts => {
      for (const table of crossbridgeTables) db.exec(`alter table ${table} rename to ${old(table)}`);
      for (const { name } of db
        .prepare(`select name from sqlite_master where type = 'index' and sql is not null and tbl_name like 'crossbridge\\_old\\_%' escape '\\'`)
        .all() as { name: string }[]) {
        db.exec(`drop index "${name.replace(/"/g, '""')}"`);
      }
      db.exec('CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
      const migrations = readMigrationFiles({ migrationsFolder: sqliteMigrationsFolder });
      const apply = (list: typeof migrations) => {
        for (const migration of list) {
          for (const statement of migration.sql) db.exec(statement);
          db.prepare('INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)').run(migration.hash, migration.folderMillis);
        }
      };
      apply(migrations.slice(0, conversionLayout));
      const m = old('confidence_measurements');
      db.exec(`insert into confidence_measurements (id, test_name, confidence, category, timestamp, failure_id, rule_score, signal_score, created_at)
        select id, test_name, confidence, category, ${ms('timestamp')}, failure_id, rule_score, signal_score, ${ms('created_at')} from ${m}`);
      const recommendations = `case when json_valid(recommendations) and json_type(recommendations) = 'array' then recommendations else json_array(recommendations) end`;
      db.exec(`insert into drift_analysis (id, test_name, category, baseline_confidence, current_confidence, drift_percentage, drift_absolute, severity, direction, trend,
          measurements_count, time_span_seconds, recommendations, p_value, change_point_at, analyzed_at)
        select a.id, a.test_name, ${categoryOf(m, 'a.test_name', 'm.timestamp')}, baseline_confidence, current_confidence, abs(drift_percentage), abs(drift_absolute),
          ${severitySql('severity')}, ${directionSql('direction')}, ${trendSql('trend', 'direction')}, measurements_count, time_span_seconds, ${recommendations},
          null, null, ${ms('analyzed_at')} from ${old('drift_analysis')} a`);
      db.exec(`insert into drift_alerts (id, test_name, category, severity, drift_percentage, message, recommendations, created_at, acknowledged, acknowledged_at, acknowledged_by)
        select a.id, a.test_name, ${categoryOf(m, 'a.test_name', 'm.timestamp')}, ${severitySql('severity')}, abs(drift_percentage), message, ${recommendations},
          ${ms('created_at')}, coalesce(acknowledged, 0) != 0, ${ms('acknowledged_at')}, acknowledged_by from ${old('drift_alerts')} a`);
      const counts = verifyCounts((sql) => (db.prepare(sql).get() as { n: number }).n, (t) => t);
      for (const table of crossbridgeTables) db.exec(`drop table ${old(table)}`);
      apply(migrations.slice(conversionLayout));
      recordAdoption((sql, ...params) => db.prepare(sql).run(...params), tableExists(db, 'drift_metadata'), '?');
      return counts;
    });
    const counts = adopt.immediate();
    return { status: 'adopted', counts, backup };
  } finally {
    db.close();
  }
}

function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name) !== undefined;
}

/** Every row arrived: the old and new tables hold the same number of rows, or the transaction fails. */
function verifyCounts<T>(count: (sql: string) => T, qualify: (table: string) => string): { measurements: T; analyses: T; alerts: T } {
  const pairs = { measurements: 'confidence_measurements', analyses: 'drift_analysis', alerts: 'drift_alerts' } as const;
  const result = {} as Record<keyof typeof pairs, T>;
  for (const [key, table] of Object.entries(pairs) as [keyof typeof pairs, string][]) {
    const before = count(`select count(*) as n from ${qualify(old(table))}`);
    const after = count(`select count(*) as n from ${table}`);
    if (Number(before) !== Number(after)) throw new Error(`adoption lost rows of ${table}: ${before} before, ${after} after`);
    result[key] = after;
  }
  return result;
}

function recordAdoption(run: (sql: string, ...params: unknown[]) => unknown, hasMetadata: boolean, placeholder: '?' | '$1'): void {
  if (!hasMetadata) return;
  run(`delete from drift_metadata where key = 'driftwatch_adopted_at'`);
  run(`insert into drift_metadata (key, value) values ('driftwatch_adopted_at', ${placeholder})`, new Date().toISOString());
}

/** Adopts an original PostgreSQL schema in place, in one transaction under the migration lock. */
export async function adoptCrossbridgePg(options: PgConnectionOptions): Promise<Adoption> {
  const schema = assertSchemaName(options.schema);
  const staging = `${schema.slice(0, 40)}_crossbridge_adopting`;
  const client = new pg.Client({ connectionString: options.url, application_name: 'driftwatch-migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [`driftwatch.migrate.${schema}`]);
    await client.query('begin');
    try {
      const layout = await detectPgLayout(client, schema);
      refuseUnless(layout, `postgres schema ${schema}`);
      if (layout.kind !== 'crossbridge') {
        await client.query('rollback');
        return { status: 'not-crossbridge', layout };
      }
      const q = async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows;
      // The original's tables step aside into a staging schema with their indexes, keys and sequences,
      // so our migration creates its tables under the same names without a clash.
      await q(`create schema "${staging}"`);
      for (const table of crossbridgeTables) await q(`alter table "${schema}"."${table}" set schema "${staging}"`);
      for (const table of crossbridgeTables) await q(`alter table "${staging}"."${table}" rename to "${old(table)}"`);
      await q(`set local search_path to "${schema}"`);
      await q(`CREATE TABLE IF NOT EXISTS "${schema}"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
      const migrations = readMigrationFiles({ migrationsFolder: pgMigrationsFolder });
      const apply = async (list: typeof migrations) => {
        for (const migration of list) {
          for (const statement of migration.sql) await q(statement);
          await q(`insert into "${schema}"."__drizzle_migrations" ("hash", "created_at") values ($1, $2)`, [migration.hash, migration.folderMillis]);
        }
      };
      await apply(migrations.slice(0, conversionLayout));
      const m = `"${staging}"."${old('confidence_measurements')}"`;
      // Naive timestamps are UTC in the original: AT TIME ZONE 'UTC' makes them instants, microseconds and all.
      const utc = (column: string) => `(${column} at time zone 'UTC')`;
      const recommendations = `case when jsonb_typeof(recommendations::jsonb) = 'array' then recommendations::jsonb else jsonb_build_array(recommendations) end`;
      await q(`insert into confidence_measurements (id, test_name, confidence, category, "timestamp", failure_id, rule_score, signal_score, created_at)
        select id, test_name, confidence, category, ${utc('"timestamp"')}, failure_id, rule_score, signal_score, ${utc('created_at')} from ${m}`);
      await q(`insert into drift_analysis (id, test_name, category, baseline_confidence, current_confidence, drift_percentage, drift_absolute, severity, direction, trend,
          measurements_count, time_span_seconds, recommendations, p_value, change_point_at, analyzed_at)
        select a.id, a.test_name, ${categoryOf(m, 'a.test_name', 'm."timestamp"')}, baseline_confidence, current_confidence, abs(drift_percentage), abs(drift_absolute),
          ${severitySql('severity')}, ${directionSql('direction')}, ${trendSql('trend', 'direction')}, measurements_count, time_span_seconds, ${recommendations},
          null, null, ${utc('analyzed_at')} from "${staging}"."${old('drift_analysis')}" a`);
      await q(`insert into drift_alerts (id, test_name, category, severity, drift_percentage, message, recommendations, created_at, acknowledged, acknowledged_at, acknowledged_by)
        select a.id, a.test_name, ${categoryOf(m, 'a.test_name', 'm."timestamp"')}, ${severitySql('severity')}, abs(drift_percentage), message, ${recommendations},
          ${utc('created_at')}, coalesce(acknowledged, false), ${utc('acknowledged_at')}, acknowledged_by from "${staging}"."${old('drift_alerts')}" a`);
      // Rows came with their ids: the sequences continue after the highest one.
      for (const table of crossbridgeTables) {
        await q(`select setval(pg_get_serial_sequence('"${schema}"."${table}"', 'id'), coalesce(max(id), 1), max(id) is not null) from "${schema}"."${table}"`);
      }
      const counted: Record<string, number> = {};
      for (const table of crossbridgeTables) {
        counted[`old:${table}`] = Number((await q(`select count(*) as n from "${staging}"."${old(table)}"`))[0].n);
        counted[table] = Number((await q(`select count(*) as n from "${schema}"."${table}"`))[0].n);
        if (counted[`old:${table}`] !== counted[table]) throw new Error(`adoption lost rows of ${table}: ${counted[`old:${table}`]} before, ${counted[table]} after`);
      }
      await q(`drop schema "${staging}" cascade`);
      await apply(migrations.slice(conversionLayout));
      const hasMetadata = (await q(`select 1 from information_schema.tables where table_schema = $1 and table_name = 'drift_metadata'`, [schema])).length > 0;
      if (hasMetadata) {
        await q(`delete from "${schema}".drift_metadata where key = 'driftwatch_adopted_at'`);
        await q(`insert into "${schema}".drift_metadata (key, value) values ('driftwatch_adopted_at', $1)`, [new Date().toISOString()]);
      }
      await q('commit');
      return {
        status: 'adopted',
        counts: { measurements: counted.confidence_measurements!, analyses: counted.drift_analysis!, alerts: counted.drift_alerts! },
        backup: null,
      };
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  } finally {
    await client.end();
  }
}
