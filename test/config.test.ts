import { describe, expect, it } from 'vitest';
import { ConfigError, describeDatabase, loadConfig, maskUrl } from '../src/config.js';

function problems(env: Record<string, string>, flags = {}): string[] {
  try {
    loadConfig(env, flags);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('defaults to SQLite under data/ and a loopback server', () => {
    expect(loadConfig({})).toStrictEqual({
      database: { backend: 'sqlite', path: 'data/drift_tracking.db' },
      server: { host: '127.0.0.1', port: 4000, shutdownTimeoutMs: 10_000, maxBodyBytes: 10_000 * 1536 + 1024 * 1024, maxWebSocketConnections: 1000 },
      api: { keys: [], allowAnonymous: false, maxBatchSize: 10_000 },
      drift: { lookbackDays: 30 },
      maintenance: {
        retentionIntervalMinutes: 0,
        retention: { measurementsDays: 90, analysisDays: 30, alertsDays: 60 },
        analyzeAfterIngest: false,
        analyzeDebounceMs: 2000,
      },
    });
  });

  it('builds a PostgreSQL URL from the seed variables, with the seed defaults', () => {
    const config = loadConfig({ DRIFT_BACKEND: 'postgres', POSTGRES_PASSWORD: 'p@ss/word' });
    expect(config.database).toStrictEqual({
      backend: 'postgres',
      url: 'postgresql://crossbridge:p%40ss%2Fword@localhost:5432/crossbridge',
      schema: 'drift',
      pool: { min: 1, max: 10 },
      timeouts: { lockMs: 5_000, statementMs: 60_000 },
      applicationName: 'driftwatch',
    });
  });

  it('lets DRIFT_DB_URL win over the parts and flags win over the environment', () => {
    const env = { DRIFT_BACKEND: 'postgres', POSTGRES_HOST: 'ignored', DRIFT_DB_URL: 'postgresql://u@db:6543/x', POSTGRES_SCHEMA: 'env_schema', PORT: '5000' };
    const config = loadConfig(env, { dbSchema: 'flag_schema', port: '6000' });
    expect(config.database).toMatchObject({ url: 'postgresql://u@db:6543/x', schema: 'flag_schema' });
    expect(config.server.port).toBe(6000);
    expect(loadConfig({ DRIFT_BACKEND: 'postgres' }, { dbBackend: 'sqlite', sqlitePath: '/tmp/x.db' }).database).toStrictEqual({
      backend: 'sqlite',
      path: '/tmp/x.db',
    });
  });

  it('lists every invalid value at once, naming its variable', () => {
    expect(
      problems({ PORT: 'abc', DRIFT_BACKEND: 'mysql', POSTGRES_SCHEMA: 'drift; drop table x', DRIFT_PG_POOL_MIN: '20', DRIFT_PG_POOL_MAX: '5' }),
    ).toStrictEqual([
      'DRIFT_BACKEND: must be sqlite or postgres',
      'POSTGRES_SCHEMA: must be a plain lower-case identifier (a-z, 0-9, _; at most 63 characters)',
      'PORT: must be a whole number from 1 to 65535',
    ]);
    expect(problems({ DRIFT_PG_POOL_MIN: '20', DRIFT_PG_POOL_MAX: '5' })).toStrictEqual(['DRIFT_PG_POOL_MIN: must not exceed DRIFT_PG_POOL_MAX']);
    expect(problems({ DRIFT_DB_URL: 'mysql://x' })).toStrictEqual(['DRIFT_DB_URL: must be a postgresql:// URL']);
    expect(problems({ DRIFT_PG_PARTITION: 'day' })).toStrictEqual(['DRIFT_PG_PARTITION: must be month, week or off']);
  });

  it('reads the measurements layout PostgreSQL should have', () => {
    expect(loadConfig({ DRIFT_BACKEND: 'postgres', DRIFT_PG_PARTITION: 'week' }).database).toMatchObject({ backend: 'postgres', partition: 'week' });
    expect(problems({ DRIFT_PG_RETENTION: 'weeks' })).toStrictEqual(['DRIFT_PG_RETENTION: must be partitions or rows']);
    expect(loadConfig({ DRIFT_BACKEND: 'postgres', DRIFT_PG_RETENTION: 'rows' }).database).toMatchObject({ backend: 'postgres', retention: 'rows' });
    expect(loadConfig({ DRIFT_BACKEND: 'postgres' }).database).not.toHaveProperty('partition');
  });

  it('refuses schemas that are not ours to create, and a URL whose options would override the schema', () => {
    for (const schema of ['information_schema', 'pg_catalog', 'pg_temp_1']) {
      expect(problems({ POSTGRES_SCHEMA: schema })).toStrictEqual(['POSTGRES_SCHEMA: names a PostgreSQL system schema (pg_*, information_schema)']);
    }
    for (const schema of ['select', 'user', 'table']) expect(problems({ POSTGRES_SCHEMA: schema })).toStrictEqual(['POSTGRES_SCHEMA: is an SQL reserved word']);
    expect(loadConfig({ DRIFT_BACKEND: 'postgres', POSTGRES_SCHEMA: 'selected' }).database).toMatchObject({ schema: 'selected' });
    expect(problems({ DRIFT_DB_URL: 'postgresql://u@db/x?options=-c%20search_path%3Dpublic' })).toStrictEqual([
      'DRIFT_DB_URL: sets search_path in its options; name the schema with POSTGRES_SCHEMA (--db-schema) instead',
    ]);
    expect(loadConfig({ DRIFT_DB_URL: 'postgresql://u@db/x?options=-c%20statement_timeout%3D5000' }).database).toMatchObject({ backend: 'postgres' });
  });

  it('parses API keys and refuses malformed ones without echoing the secret', () => {
    expect(loadConfig({ DRIFT_API_KEYS: 'ci:0123456789abcdef:read+write, ops:fedcba9876543210:admin' }).api.keys).toStrictEqual([
      { name: 'ci', key: '0123456789abcdef', scopes: ['read', 'write'] },
      { name: 'ops', key: 'fedcba9876543210', scopes: ['admin'] },
    ]);
    const refused = problems({ DRIFT_API_KEYS: 'ci:supersecretvalue123:root' });
    expect(refused).toStrictEqual(['DRIFT_API_KEYS: entry 1 must look like name:key:read+write+admin']);
    expect(refused.join()).not.toContain('supersecretvalue123');
    expect(problems({ DRIFT_API_KEYS: 'ci:short:read' })).toStrictEqual(['DRIFT_API_KEYS: entry 1 (ci): the key must be at least 16 characters']);
  });

  it('reads drift overrides, per category too', () => {
    const config = loadConfig({
      DRIFT_LOOKBACK_DAYS: '14',
      DRIFT_MIN_MEASUREMENTS: '4',
      DRIFT_ALERT_MIN_SEVERITY: 'HIGH',
      DRIFT_THRESHOLDS: 'low=0.03, medium=0.08',
      DRIFT_CATEGORY_THRESHOLDS: '{"payments": {"low": 0.01, "critical": 0.1}}',
    });
    expect(config.drift).toStrictEqual({
      lookbackDays: 14,
      minMeasurements: 4,
      alertMinSeverity: 'HIGH',
      thresholds: { low: 0.03, medium: 0.08 },
      categoryThresholds: { payments: { low: 0.01, critical: 0.1 } },
    });
    expect(problems({ DRIFT_THRESHOLDS: 'low=abc', DRIFT_CATEGORY_THRESHOLDS: '{nope' })).toStrictEqual([
      'DRIFT_THRESHOLDS: must look like low=0.05,medium=0.1,high=0.2,critical=0.3',
      'DRIFT_CATEGORY_THRESHOLDS: must be JSON like {"payments": {"low": 0.02}}',
    ]);
  });

  it('never shows a password', () => {
    const refused = problems({ DRIFT_BACKEND: 'postgres', POSTGRES_PASSWORD: 'hunter2', PORT: '0' });
    expect(refused.join()).not.toContain('hunter2');
    expect(maskUrl('postgresql://user:hunter2@db:5432/x')).toBe('postgresql://user:***@db:5432/x');
    expect(maskUrl('postgresql://user@db/x')).toBe('postgresql://user@db/x');
    const database = loadConfig({ DRIFT_BACKEND: 'postgres', POSTGRES_PASSWORD: 'hunter2' }).database;
    expect(describeDatabase(database)).toBe('postgres postgresql://crossbridge:***@localhost:5432/crossbridge schema drift');
  });
});
