// An original CrossBridge PostgreSQL schema read as Driftwatch rows, for `drift copy --from`, without
// adopting it: one read-only, repeatable-read transaction, the same mapping as `drift migrate`.
import pg from 'pg';
import type { PgConnectionOptions } from '../db/pg/connect.js';
import { assertSchemaName } from '../db/pg/connect.js';
import { categoryOf, directionSql, severitySql, trendSql } from '../db/adopt-crossbridge.js';
import { detectPgLayout } from '../db/detect-layout.js';
import type { RowSource, TableName, TableRows } from '../store/store.js';

// CrossBridge keeps no history of deleted measurements: its `history` is empty.
const tables: Record<Exclude<TableName, 'history'>, string> = { measurements: 'confidence_measurements', analyses: 'drift_analysis', alerts: 'drift_alerts' };

export class CrossbridgePgSource implements RowSource {
  private constructor(
    private readonly client: pg.Client,
    private readonly schema: string,
  ) {}

  /** The source, or null when the schema is not an unadopted CrossBridge one (then read it as ours). */
  static async open(options: PgConnectionOptions): Promise<CrossbridgePgSource | null> {
    const schema = assertSchemaName(options.schema);
    const client = new pg.Client({ connectionString: options.url, application_name: 'driftwatch-copy' });
    await client.connect();
    try {
      // One snapshot for counting, copying and verifying; READ ONLY so nothing can be written by mistake.
      await client.query('begin isolation level repeatable read read only');
      if ((await detectPgLayout(client, schema)).kind !== 'crossbridge') {
        await client.end();
        return null;
      }
      return new CrossbridgePgSource(client, schema);
    } catch (error) {
      await client.end();
      throw error;
    }
  }

  async countRows(table: TableName): Promise<number> {
    if (table === 'history') return 0;
    const { rows } = await this.client.query<{ n: string }>(`select count(*) as n from "${this.schema}"."${tables[table]}"`);
    return Number(rows[0]!.n);
  }

  async *streamRows<T extends TableName>(table: T, batchSize: number): AsyncIterable<TableRows[T][]> {
    if (table === 'history') return;
    let lastId = 0;
    for (;;) {
      const { rows } = await this.client.query(`${this.select(table)} where a.id > $1 order by a.id limit $2`, [lastId, batchSize]);
      if (rows.length === 0) return;
      lastId = rows[rows.length - 1].id;
      yield rows.map((row) => this.parse(table, row)) as TableRows[T][];
    }
  }

  async close(): Promise<void> {
    await this.client.query('rollback').catch(() => {});
    await this.client.end();
  }

  private select(table: TableName): string {
    const s = `"${this.schema}"`;
    const m = `${s}.confidence_measurements`;
    // Epoch milliseconds as text, so no session time zone or driver date parsing takes part.
    const ms = (column: string) => `floor(extract(epoch from (${column} at time zone 'UTC')) * 1000)::text`;
    const category = categoryOf(m, 'a.test_name', 'm."timestamp"');
    if (table === 'measurements') {
      return `select a.id, a.test_name, a.confidence, a.category, ${ms('a."timestamp"')} as timestamp, a.failure_id, a.rule_score, a.signal_score,
        ${ms('a.created_at')} as created_at from ${m} a`;
    }
    if (table === 'analyses') {
      return `select a.id, a.test_name, ${category} as category, a.baseline_confidence, a.current_confidence, abs(a.drift_percentage) as drift_percentage,
        abs(a.drift_absolute) as drift_absolute, ${severitySql('a.severity')} as severity, ${directionSql('a.direction')} as direction,
        ${trendSql('a.trend', 'a.direction')} as trend, a.measurements_count, a.time_span_seconds, a.recommendations, ${ms('a.analyzed_at')} as analyzed_at
        from ${s}.drift_analysis a`;
    }
    return `select a.id, a.test_name, ${category} as category, ${severitySql('a.severity')} as severity, abs(a.drift_percentage) as drift_percentage,
      a.message, a.recommendations, ${ms('a.created_at')} as created_at, coalesce(a.acknowledged, false) as acknowledged,
      ${ms('a.acknowledged_at')} as acknowledged_at, a.acknowledged_by from ${s}.drift_alerts a`;
  }

  private parse(table: TableName, r: Record<string, unknown>): TableRows[TableName] {
    const at = (value: unknown) => (value === null ? null : new Date(Number(value)));
    const list = (value: unknown): string[] => {
      const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
      return Array.isArray(parsed) ? parsed.map(String) : [String(parsed)];
    };
    if (table === 'measurements') {
      return {
        id: r.id as number,
        testName: r.test_name as string,
        confidence: r.confidence as number,
        category: r.category as string | null,
        timestamp: at(r.timestamp)!,
        failureId: r.failure_id as string | null,
        ruleScore: r.rule_score as number | null,
        signalScore: r.signal_score as number | null,
        createdAt: at(r.created_at)!,
      };
    }
    if (table === 'analyses') {
      return {
        id: r.id as number,
        testName: r.test_name as string,
        category: r.category as string | null,
        baselineConfidence: r.baseline_confidence as number,
        currentConfidence: r.current_confidence as number,
        driftPercentage: r.drift_percentage as number,
        driftAbsolute: r.drift_absolute as number,
        severity: r.severity as TableRows['analyses']['severity'],
        direction: r.direction as TableRows['analyses']['direction'],
        trend: r.trend as TableRows['analyses']['trend'],
        measurementsCount: r.measurements_count as number,
        timeSpanSeconds: r.time_span_seconds as number,
        recommendations: list(r.recommendations),
        pValue: null,
        changePointAt: null,
        analyzedAt: at(r.analyzed_at)!,
        // Last, as in the table: copy's checksum hashes rows as JSON, so key order matters.
        kind: null,
      };
    }
    return {
      id: r.id as number,
      testName: r.test_name as string,
      category: r.category as string | null,
      severity: r.severity as TableRows['alerts']['severity'],
      driftPercentage: r.drift_percentage as number,
      message: r.message as string,
      recommendations: list(r.recommendations),
      createdAt: at(r.created_at)!,
      acknowledged: r.acknowledged as boolean,
      acknowledgedAt: at(r.acknowledged_at),
      acknowledgedBy: r.acknowledged_by as string | null,
    };
  }
}
