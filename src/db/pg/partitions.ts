// Native range partitioning of confidence_measurements by its timestamp, on PostgreSQL only: the
// layout read from the catalog, partitions made ahead of time, whole periods dropped by retention,
// and the conversion of an existing table from one layout to another.
import { sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { intervalOfBounds, nextPeriod, partitionName, partitionNamePattern, periodsToPartition, type MeasurementsLayout, type PartitionInterval } from './partition-periods.js';

// The functions take any Drizzle database on one connection or a pool; a caller that needs them
// atomic runs them in its transaction.
type Database = Pick<NodePgDatabase<Record<string, never>>, 'execute'>;

export const measurementsTable = 'confidence_measurements';
const defaultPartition = `${measurementsTable}_default`;

export interface RangePartition {
  name: string;
  from: Date;
  to: Date;
}

export interface MeasurementsPartitioning {
  layout: MeasurementsLayout;
  /** The range partitions, oldest first; the default partition is not among them. */
  partitions: RangePartition[];
}

const ident = (name: string) => sql.identifier(name);
/** An instant as PostgreSQL reads it, in UTC; toISOString would write the end of year 9999 as `+010000-01-01T…`. */
function instantLiteral(at: Date): SQL {
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${String(at.getUTCFullYear()).padStart(4, '0')}-${two(at.getUTCMonth() + 1)}-${two(at.getUTCDate())}`;
  const time = `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}.${String(at.getUTCMilliseconds()).padStart(3, '0')}`;
  return sql.raw(`'${date} ${time}+00'`);
}

/** How the measurements table is laid out now, in the connection's schema. */
export async function readPartitioning(db: Database): Promise<MeasurementsPartitioning> {
  const kind = await db.execute<{ relkind: string }>(sql`select relkind from pg_class where oid = ${measurementsTable}::regclass`);
  if (kind.rows[0]?.relkind !== 'p') return { layout: 'off', partitions: [] };
  // The bounds come back as PostgreSQL prints them (in the session's time zone): it parses them itself.
  const found = await db.execute<{ name: string; from_ms: string; to_ms: string }>(sql`
    select name, extract(epoch from bounds[1]::timestamptz) * 1000 as from_ms, extract(epoch from bounds[2]::timestamptz) * 1000 as to_ms
    from (
      select c.relname as name, regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM [(]''([^'']*)''[)] TO [(]''([^'']*)''[)]') as bounds
      from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = ${measurementsTable}::regclass
    ) p
    where bounds is not null
    order by from_ms`);
  const partitions = found.rows.map((row) => ({ name: row.name, from: new Date(Number(row.from_ms)), to: new Date(Number(row.to_ms)) }));
  const first = partitions[0];
  // A partitioned table always keeps the periods ahead of now, so one range is there to tell the interval.
  return { layout: first ? intervalOfBounds(first.from, first.to) : 'month', partitions };
}

/**
 * Makes the partitions `periodsToPartition` asks for that are missing: the current period and those
 * ahead of it, and the periods of rows waiting in the default partition (written before their
 * period had a partition, or brought in by an import or copy), whose rows move into them; at most
 * `atMost` of them. Runs in the caller's transaction; returns the names of the partitions made.
 */
export async function ensurePartitions(db: Database, interval: PartitionInterval, now: Date, atMost = Infinity): Promise<string[]> {
  await takePartitionsTurn(db);
  const { partitions } = await readPartitioning(db);
  const existing = new Set(partitions.map((p) => p.from.getTime()));
  const waiting = await periodsWithRows(db, defaultPartition, interval);
  const missing = periodsToPartition(waiting.map((p) => p.start), now, interval).filter((start) => !existing.has(start.getTime()));
  const made: string[] = [];
  for (const start of missing.slice(0, atMost)) made.push(await attachPeriod(db, start, interval));
  return made;
}

/**
 * Whoever adds or drops partitions takes turns, for the rest of its transaction: two instances
 * find each other's partitions made, and upkeep (the default partition, then the parent) cannot
 * deadlock against retention (the parent, then the default partition).
 */
async function takePartitionsTurn(db: Database): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${'driftwatch.partitions.'} || current_schema()))`);
}

/**
 * A period's partition, attached to the measurements table; rows of the period waiting in the
 * default partition move into it first, since the default may not keep rows a range partition now covers.
 */
async function attachPeriod(db: Database, start: Date, interval: PartitionInterval): Promise<string> {
  const table = measurementsTable;
  const name = partitionName(table, start, interval);
  const [from, to] = [instantLiteral(start), instantLiteral(nextPeriod(start, interval))];
  const inPeriod = sql`"timestamp" >= ${from} and "timestamp" < ${to}`;
  await db.execute(sql`create table ${ident(name)} (like ${ident(table)} including defaults including constraints)`);
  await db.execute(sql`insert into ${ident(name)} select * from ${ident(defaultPartition)} where ${inPeriod}`);
  await db.execute(sql`delete from ${ident(defaultPartition)} where ${inPeriod}`);
  // The constraint spares ATTACH a scan proving the rows fit the bounds; it is redundant once attached.
  await db.execute(sql`alter table ${ident(name)} add constraint ${ident(`${name}_bounds`)} check (${inPeriod})`);
  await db.execute(sql`alter table ${ident(table)} attach partition ${ident(name)} for values from (${from}) to (${to})`);
  await db.execute(sql`alter table ${ident(name)} drop constraint ${ident(`${name}_bounds`)}`);
  return name;
}

/**
 * A partition retention detached is renamed so, and marked with this comment, until it is dropped:
 * an operator who finds one knows it for retention's, and the sweep drops no table it did not mark.
 */
const expiredSuffix = '_expired';
export const expiredComment = 'driftwatch: detached by retention, dropped once the cleanup committed';

/**
 * Detaches every partition whose whole period lies before `cutoff` and marks it expired; returns
 * them. Rows before the cutoff elsewhere (the period holding it, the default partition) are the
 * caller's to delete. The caller drops the expired tables once its transaction has committed
 * (dropExpiredPartitions): dropped in the transaction, a month's files were removed at its commit,
 * 0.4 s at 10M rows with every reader and writer of the measurements waiting.
 */
export async function detachPartitionsBefore(db: Database, cutoff: Date): Promise<RangePartition[]> {
  // The turn comes first, so the partitions read are those the detaches meet.
  await takePartitionsTurn(db);
  const { layout, partitions } = await readPartitioning(db);
  if (layout === 'off') return [];
  const detached = partitions.filter((p) => p.to <= cutoff);
  for (const partition of detached) {
    const expired = `${partition.name}${expiredSuffix}`;
    await db.execute(sql`alter table ${ident(measurementsTable)} detach partition ${ident(partition.name)}`);
    // One a crash left behind, of a period whose partition was made again since.
    await db.execute(sql`drop table if exists ${ident(expired)}`);
    await db.execute(sql`alter table ${ident(partition.name)} rename to ${ident(expired)}`);
    await db.execute(sql`comment on table ${ident(expired)} is ${sql.raw(`'${expiredComment}'`)}`);
  }
  return detached;
}

/**
 * Drops the partitions retention detached: a cleanup's own, once committed, and any a crash left
 * behind. Only tables named as retention names them and carrying its comment.
 */
export async function dropExpiredPartitions(db: Database): Promise<string[]> {
  const found = await db.execute<{ name: string }>(sql`
    select relname as name from pg_class
    where relnamespace = current_schema()::regnamespace and relkind = 'r' and not relispartition
      and relname ~ ${`^${partitionNamePattern(measurementsTable)}${expiredSuffix}$`}
      and obj_description(oid, 'pg_class') = ${expiredComment}`);
  for (const { name } of found.rows) await db.execute(sql`drop table if exists ${ident(name)}`);
  return found.rows.map((row) => row.name);
}

export interface ConversionProgress {
  copied: number;
  total: number;
}

/**
 * Rebuilds the measurements table in `target`'s layout, keeping every row, id, index, the
 * identity's position, the owner, grants and comment: a new table is filled period by period, then
 * takes the old one's name, indexes and settings. The caller runs it in one transaction, so a
 * failure leaves the table as it was; the table is locked against every other reader and writer
 * until then. Returns false when the table already had that layout.
 */
export async function convertMeasurements(
  db: Database,
  target: MeasurementsLayout,
  now: Date,
  onProgress: (progress: ConversionProgress) => void = () => {},
): Promise<boolean> {
  await db.execute(sql`lock table ${ident(measurementsTable)} in access exclusive mode`);
  const before = await readPartitioning(db);
  if (before.layout === target) return false;
  const old = `${measurementsTable}_unconverted`;
  const converting = `${measurementsTable}_converting`;
  const indexes = await db.execute<{ indexdef: string }>(sql`
    select indexdef from pg_indexes
    where schemaname = current_schema() and tablename = ${measurementsTable} and indexname <> ${`${measurementsTable}_pkey`}`);
  const kept = await tableSettings(db);
  await db.execute(sql`alter table ${ident(measurementsTable)} rename to ${ident(old)}`);
  // A partitioned table's default partition keeps its name; the new one's default needs it.
  if (before.layout !== 'off') await db.execute(sql`alter table ${ident(defaultPartition)} rename to ${ident(`${old}_default`)}`);

  const partitioned = target !== 'off';
  await db.execute(
    sql`create table ${ident(converting)} (like ${ident(old)} including defaults including constraints including identity including storage)${partitioned ? sql` partition by range ("timestamp")` : sql``}`,
  );
  // Rows are copied a period at a time, months for an unpartitioned target.
  const copyInterval = target === 'off' ? 'month' : target;
  const periods = await periodsWithRows(db, old, copyInterval);
  if (partitioned) {
    await db.execute(sql`create table ${ident(defaultPartition)} partition of ${ident(converting)} default`);
    for (const start of periodsToPartition(periods.map((p) => p.start), now, target)) {
      await db.execute(
        sql`create table ${ident(partitionName(measurementsTable, start, target))} partition of ${ident(converting)} for values from (${instantLiteral(start)}) to (${instantLiteral(nextPeriod(start, target))})`,
      );
    }
  }

  const total = periods.reduce((sum, p) => sum + p.rows, 0);
  let copied = 0;
  onProgress({ copied, total });
  for (const { start, rows } of periods) {
    const end = nextPeriod(start, copyInterval);
    await db.execute(
      sql`insert into ${ident(converting)} select * from ${ident(old)} where "timestamp" >= ${instantLiteral(start)} and "timestamp" < ${instantLiteral(end)}`,
    );
    copied += rows;
    onProgress({ copied, total });
  }
  // Ids continue where the old identity stood, not after the highest id left (deleted rows' ids stay unused).
  await db.execute(
    sql`select setval(pg_get_serial_sequence(${converting}, 'id'), last_value, is_called) from ${sql.raw(await identitySequence(db, old))}`,
  );
  await db.execute(sql`drop table ${ident(old)}`);
  await db.execute(sql`alter table ${ident(converting)} rename to ${ident(measurementsTable)}`);
  await db.execute(sql`alter sequence ${sql.raw(await identitySequence(db, measurementsTable))} rename to ${ident(`${measurementsTable}_id_seq`)}`);
  // A partitioned table's primary key must hold the partition key as well.
  const key = partitioned ? sql`(id, "timestamp")` : sql`(id)`;
  await db.execute(sql`alter table ${ident(measurementsTable)} add constraint ${ident(`${measurementsTable}_pkey`)} primary key ${key}`);
  // A partitioned table's index reads "ON ONLY": made that way it would not reach the partitions.
  for (const { indexdef } of indexes.rows) await db.execute(sql.raw(indexdef.replace(' ON ONLY ', ' ON ')));
  for (const statement of kept) await db.execute(sql.raw(statement));
  await db.execute(sql`analyze ${ident(measurementsTable)}`);
  return true;
}

/**
 * The statements that give the measurements table back its owner, grants (a Grafana role's SELECT)
 * and comment, which a table made LIKE it does not take over.
 */
async function tableSettings(db: Database): Promise<string[]> {
  const found = await db.execute<{ statement: string }>(sql`
    select format('alter table %I owner to %I', c.relname, pg_get_userbyid(c.relowner)) as statement
    from pg_class c where c.oid = ${measurementsTable}::regclass
    union all
    select format('grant %s on table %I to %s%s', a.privilege_type, c.relname,
      case when a.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(a.grantee)) end,
      case when a.is_grantable then ' with grant option' else '' end)
    from pg_class c, aclexplode(c.relacl) a where c.oid = ${measurementsTable}::regclass and a.grantee <> c.relowner
    union all
    select format('comment on table %I is %L', c.relname, obj_description(c.oid, 'pg_class'))
    from pg_class c where c.oid = ${measurementsTable}::regclass and obj_description(c.oid, 'pg_class') is not null`);
  return found.rows.map((row) => row.statement);
}

/** The periods (of `interval`) that hold rows of `table`, oldest first, with their row counts. */
async function periodsWithRows(db: Database, table: string, interval: PartitionInterval): Promise<{ start: Date; rows: number }[]> {
  const truncated: SQL = sql`date_trunc(${interval}, "timestamp" at time zone 'UTC') at time zone 'UTC'`;
  const found = await db.execute<{ start_ms: string; rows: string }>(
    sql`select extract(epoch from ${truncated}) * 1000 as start_ms, count(*) as rows from ${ident(table)} group by 1 order by 1`,
  );
  return found.rows.map((row) => ({ start: new Date(Number(row.start_ms)), rows: Number(row.rows) }));
}

/** The qualified name of a table's identity sequence, ready to splice into SQL. */
async function identitySequence(db: Database, table: string): Promise<string> {
  const found = await db.execute<{ name: string }>(sql`select pg_get_serial_sequence(${table}, 'id') as name`);
  return found.rows[0]!.name;
}
