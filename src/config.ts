import path from 'node:path';
import { z } from 'zod';
import { measurementsLayouts, retentionModes, type MeasurementsLayout, type RetentionMode } from './db/pg/partition-periods.js';

/** How long each table keeps its rows when nobody says otherwise (alerts: days after acknowledgement). */
export const defaultRetention = { measurementsDays: 90, analysisDays: 30, alertsDays: 60 } as const;
export const maxRetentionDays = 36_500;

/** What a command line may set; each wins over its environment variable. */
export interface ConfigFlags {
  dbBackend?: string;
  dbHost?: string;
  dbPort?: string;
  dbName?: string;
  dbUser?: string;
  dbPassword?: string;
  dbSchema?: string;
  dbUrl?: string;
  sqlitePath?: string;
  host?: string;
  port?: string;
}

export interface PoolSize {
  min: number;
  max: number;
}

export type DatabaseConfig =
  | { backend: 'sqlite'; path: string }
  | {
      backend: 'postgres';
      url: string;
      schema: string;
      pool: PoolSize;
      /** Milliseconds a statement may wait for a lock, and run at all, before it fails (0: no limit). */
      timeouts?: { lockMs: number; statementMs: number };
      /** How this process's connections are named in pg_stat_activity (default `driftwatch`; the alert listener adds `-alerts`). */
      applicationName?: string;
      /**
       * The measurements table's layout the operator asked for: an empty table is made so on start, a
       * filled one must be converted with `drift migrate --partition`. Unset: whatever the table has.
       */
      partition?: MeasurementsLayout;
      /** On a partitioned table, whether retention drops whole periods only (the default) or every row past the cutoff. */
      retention?: RetentionMode;
    };

export const apiScopes = ['read', 'write', 'admin'] as const;
export type ApiScope = (typeof apiScopes)[number];

export interface ApiKey {
  name: string;
  key: string;
  scopes: ApiScope[];
}

export interface ServerConfig {
  host: string;
  port: number;
  /** How long `serve` lets an orderly shutdown take before it exits anyway. */
  shutdownTimeoutMs?: number;
  /** A bearer key for /metrics and /ready besides the API keys, for a scraper that should hold no API key. */
  metricsKey?: string;
  /** A second listener, on the same host, serving only /metrics and /ready, without keys. */
  metricsPort?: number;
  /** The largest request body read; see bodyLimitFor. */
  maxBodyBytes?: number;
  /** Open WebSocket connections one process accepts (default defaultMaxWebSocketConnections). */
  maxWebSocketConnections?: number;
}

export const defaultMaxWebSocketConnections = 1000;

/**
 * Room for the largest batch one call may carry. The longest row the input rules allow (a
 * 512-character test name, 256-character category and failure id, a timestamp with nanoseconds
 * and an offset, three scores) is 1,217 bytes as compact JSON; 1.5 KiB a row holds it
 * pretty-printed too, and 1 MiB more the document and the rest. Text full of escaped control
 * characters or non-ASCII letters takes more bytes per character and needs smaller batches.
 */
export const bodyBytesPerRow = 1536;

export function bodyLimitFor(maxBatchSize: number): number {
  return maxBatchSize * bodyBytesPerRow + 1024 * 1024;
}

export interface ApiConfig {
  /** Empty: no authentication (allowed on a loopback HOST, or with DRIFT_ALLOW_ANONYMOUS=true). */
  keys: ApiKey[];
  allowAnonymous: boolean;
  /** The most rows one recordMeasurements call may carry. */
  maxBatchSize: number;
}

export interface ThresholdOverrides {
  low?: number;
  medium?: number;
  high?: number;
  critical?: number;
}

/** What the operator changed of the drift engine's defaults (the engine owns the defaults). */
export interface DriftConfig {
  lookbackDays: number;
  baselineWindow?: number;
  currentWindow?: number;
  minMeasurements?: number;
  alertMinSeverity?: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  thresholds?: ThresholdOverrides;
  categoryThresholds?: Record<string, ThresholdOverrides>;
}

/** Background work a server may do by itself; both off by default. */
export interface MaintenanceConfig {
  /** Run cleanup every this many minutes; 0 turns it off. */
  retentionIntervalMinutes: number;
  retention: { measurementsDays: number; analysisDays: number; alertsDays: number };
  /** Analyse the tests a write touched, shortly after it, so alerts need no client to ask. */
  analyzeAfterIngest: boolean;
  /** How long to gather writes before analysing them together. */
  analyzeDebounceMs: number;
}

export interface Config {
  database: DatabaseConfig;
  server: ServerConfig;
  api: ApiConfig;
  drift: DriftConfig;
  maintenance: MaintenanceConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

// PostgreSQL's reserved key words (its documentation's appendix C): as a bare schema name each
// would need quoting everywhere, in Grafana's SQL too.
const reservedWords = new Set(
  ('all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
    'current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc ' +
    'distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral ' +
    'leading limit localtime localtimestamp not null offset on only or order placing primary references returning ' +
    'select session_user some symmetric system_user table then to trailing true union unique user using variadic ' +
    'when where window with').split(' '),
);

/** A PostgreSQL schema name we are willing to interpolate as an identifier, and that is ours to create. */
export const pgSchemaName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain lower-case identifier (a-z, 0-9, _; at most 63 characters)')
  .refine((name) => !name.startsWith('pg_') && name !== 'information_schema', 'names a PostgreSQL system schema (pg_*, information_schema)')
  .refine((name) => !reservedWords.has(name), 'is an SQL reserved word');

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`);
const port = wholeNumber(1, 65535);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

// DRIFT_API_KEYS: comma-separated `name:key:scope+scope` entries, e.g. `ci:s3cret:read+write`.
const apiKeys = z
  .string()
  .optional()
  .transform((value, ctx): ApiKey[] => {
    if (value === undefined) return [];
    const keys: ApiKey[] = [];
    for (const [index, entry] of value.split(',').entries()) {
      const [name, key, scopes, ...rest] = entry.trim().split(':');
      const parsedScopes = (scopes ?? '').split('+').filter(Boolean);
      const known = parsedScopes.every((s): s is ApiScope => (apiScopes as readonly string[]).includes(s));
      // The entry itself is never echoed: it holds a secret.
      if (!name || !key || rest.length > 0 || parsedScopes.length === 0 || !known) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} must look like name:key:read+write+admin` });
        continue;
      }
      if (key.length < 16) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} (${name}): the key must be at least 16 characters` });
        continue;
      }
      keys.push({ name, key, scopes: parsedScopes as ApiScope[] });
    }
    return keys;
  });

const fraction = z.number().gt(0).lt(10);
const thresholdOverrides = z.object({ low: fraction, medium: fraction, high: fraction, critical: fraction }).partial().strict();

// DRIFT_THRESHOLDS: `low=0.05,medium=0.1,high=0.2,critical=0.3` (any subset).
const thresholdList = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    const entries = value.split(',').map((part) => part.trim().split('='));
    const parsed = thresholdOverrides.safeParse(Object.fromEntries(entries.map(([k, v]) => [k, Number(v)])));
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: 'must look like low=0.05,medium=0.1,high=0.2,critical=0.3' });
      return z.NEVER;
    }
    return parsed.data;
  });

// DRIFT_CATEGORY_THRESHOLDS: JSON, e.g. `{"payments": {"low": 0.02, "medium": 0.05}}`.
const categoryThresholdJson = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON like {"payments": {"low": 0.02}}' });
      return z.NEVER;
    }
    const parsed = z.record(z.string().min(1), thresholdOverrides).safeParse(json);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: 'must map categories to {low, medium, high, critical} fractions' });
      return z.NEVER;
    }
    return parsed.data;
  });

// Keys are the environment variable names, so every zod issue names the variable to fix.
const environment = z
  .object({
    // Unset: postgres when DRIFT_DB_URL names a server, else sqlite (see loadConfig).
    DRIFT_BACKEND: z.preprocess(
      (v) => (v === 'postgresql' ? 'postgres' : v === '' ? undefined : v),
      z.enum(['sqlite', 'postgres'], { error: 'must be sqlite or postgres' }).optional(),
    ),
    DRIFT_SQLITE_PATH: z.string().min(1).default(path.join('data', 'drift_tracking.db')),
    DRIFT_DB_URL: optionalText.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
        .refine((url) => URL.canParse(url), 'is not a valid URL')
        // The URL's options would override the tenant schema on every connection.
        .refine((url) => !URL.canParse(url) || !/search_path/i.test(new URL(url).searchParams.get('options') ?? ''), 'sets search_path in its options; name the schema with POSTGRES_SCHEMA (--db-schema) instead')
        .optional(),
    ),
    POSTGRES_HOST: z.string().min(1).default('localhost'),
    POSTGRES_PORT: port.default(5432),
    POSTGRES_DB: z.string().min(1).default('crossbridge'),
    POSTGRES_USER: z.string().min(1).default('crossbridge'),
    POSTGRES_PASSWORD: optionalText,
    POSTGRES_SCHEMA: pgSchemaName.default('drift'),
    DRIFT_PG_POOL_MIN: wholeNumber(0, 1000).default(1),
    DRIFT_PG_POOL_MAX: wholeNumber(1, 1000).default(10),
    DRIFT_PG_LOCK_TIMEOUT_MS: wholeNumber(0, 3_600_000).default(5_000),
    DRIFT_PG_STATEMENT_TIMEOUT_MS: wholeNumber(0, 3_600_000).default(60_000),
    DRIFT_PG_PARTITION: z.enum(measurementsLayouts as [MeasurementsLayout, ...MeasurementsLayout[]], { error: 'must be month, week or off' }).optional(),
    DRIFT_PG_RETENTION: z.enum(retentionModes, { error: 'must be partitions or rows' }).optional(),
    DRIFT_PG_APPLICATION_NAME: z.string().regex(/^[\x20-\x7e]{1,63}$/, 'printable ASCII, at most 63 characters').default('driftwatch'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(4000),
    DRIFT_SHUTDOWN_TIMEOUT_MS: wholeNumber(100, 600_000).default(10_000),
    DRIFT_METRICS_KEY: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    DRIFT_METRICS_PORT: port.optional(),
    DRIFT_MAX_BODY_BYTES: wholeNumber(1024, 1024 * 1024 * 1024).optional(),
    DRIFT_MAX_WS_CONNECTIONS: wholeNumber(1, 1_000_000).default(defaultMaxWebSocketConnections),
    DRIFT_API_KEYS: optionalText.pipe(apiKeys),
    DRIFT_ALLOW_ANONYMOUS: z.stringbool({ error: 'must be true or false' }).default(false),
    DRIFT_MAX_BATCH_SIZE: wholeNumber(1, 1_000_000).default(10_000),
    DRIFT_LOOKBACK_DAYS: wholeNumber(1, 36_500).default(30),
    DRIFT_BASELINE_WINDOW: wholeNumber(1, 100_000).optional(),
    DRIFT_CURRENT_WINDOW: wholeNumber(1, 100_000).optional(),
    DRIFT_MIN_MEASUREMENTS: wholeNumber(2, 100_000).optional(),
    DRIFT_ALERT_MIN_SEVERITY: z
      .enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'], { error: 'must be LOW, MEDIUM, HIGH or CRITICAL' })
      .optional(),
    DRIFT_THRESHOLDS: optionalText.pipe(thresholdList),
    DRIFT_RETENTION_INTERVAL_MINUTES: wholeNumber(0, 525_600).default(0),
    DRIFT_RETENTION_MEASUREMENTS_DAYS: wholeNumber(0, maxRetentionDays).default(defaultRetention.measurementsDays),
    DRIFT_RETENTION_ANALYSIS_DAYS: wholeNumber(0, maxRetentionDays).default(defaultRetention.analysisDays),
    DRIFT_RETENTION_ALERTS_DAYS: wholeNumber(0, maxRetentionDays).default(defaultRetention.alertsDays),
    DRIFT_ANALYZE_AFTER_INGEST: z.stringbool({ error: 'must be true or false' }).default(false),
    DRIFT_ANALYZE_DEBOUNCE_MS: wholeNumber(0, 600_000).default(2000),
    DRIFT_CATEGORY_THRESHOLDS: optionalText.pipe(categoryThresholdJson),
  })
  .refine((e) => e.DRIFT_PG_POOL_MIN <= e.DRIFT_PG_POOL_MAX, {
    path: ['DRIFT_PG_POOL_MIN'],
    message: 'must not exceed DRIFT_PG_POOL_MAX',
  });

const flagToVariable: Record<keyof ConfigFlags, string> = {
  dbBackend: 'DRIFT_BACKEND',
  dbHost: 'POSTGRES_HOST',
  dbPort: 'POSTGRES_PORT',
  dbName: 'POSTGRES_DB',
  dbUser: 'POSTGRES_USER',
  dbPassword: 'POSTGRES_PASSWORD',
  dbSchema: 'POSTGRES_SCHEMA',
  dbUrl: 'DRIFT_DB_URL',
  sqlitePath: 'DRIFT_SQLITE_PATH',
  host: 'HOST',
  port: 'PORT',
};

/** Flags > environment > defaults. Throws ConfigError listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: ConfigFlags = {}): Config {
  const merged: Record<string, string | undefined> = { ...env };
  for (const [flag, variable] of Object.entries(flagToVariable)) {
    const value = flags[flag as keyof ConfigFlags];
    if (value !== undefined) merged[variable] = value;
  }
  const parsed = environment.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      // The received value is left out on purpose: it may be a password.
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const server: ServerConfig = {
    host: e.HOST,
    port: e.PORT,
    shutdownTimeoutMs: e.DRIFT_SHUTDOWN_TIMEOUT_MS,
    ...(e.DRIFT_METRICS_KEY !== undefined && { metricsKey: e.DRIFT_METRICS_KEY }),
    ...(e.DRIFT_METRICS_PORT !== undefined && { metricsPort: e.DRIFT_METRICS_PORT }),
    maxBodyBytes: e.DRIFT_MAX_BODY_BYTES ?? bodyLimitFor(e.DRIFT_MAX_BATCH_SIZE),
    maxWebSocketConnections: e.DRIFT_MAX_WS_CONNECTIONS,
  };
  const api = { keys: e.DRIFT_API_KEYS, allowAnonymous: e.DRIFT_ALLOW_ANONYMOUS, maxBatchSize: e.DRIFT_MAX_BATCH_SIZE };
  const drift = definedOnly({
    lookbackDays: e.DRIFT_LOOKBACK_DAYS,
    baselineWindow: e.DRIFT_BASELINE_WINDOW,
    currentWindow: e.DRIFT_CURRENT_WINDOW,
    minMeasurements: e.DRIFT_MIN_MEASUREMENTS,
    alertMinSeverity: e.DRIFT_ALERT_MIN_SEVERITY,
    thresholds: e.DRIFT_THRESHOLDS,
    categoryThresholds: e.DRIFT_CATEGORY_THRESHOLDS,
  }) as DriftConfig;
  const maintenance: MaintenanceConfig = {
    retentionIntervalMinutes: e.DRIFT_RETENTION_INTERVAL_MINUTES,
    retention: {
      measurementsDays: e.DRIFT_RETENTION_MEASUREMENTS_DAYS,
      analysisDays: e.DRIFT_RETENTION_ANALYSIS_DAYS,
      alertsDays: e.DRIFT_RETENTION_ALERTS_DAYS,
    },
    analyzeAfterIngest: e.DRIFT_ANALYZE_AFTER_INGEST,
    analyzeDebounceMs: e.DRIFT_ANALYZE_DEBOUNCE_MS,
  };
  // A connection string alone selects PostgreSQL, as the original tool's users expect.
  const backend = e.DRIFT_BACKEND ?? (e.DRIFT_DB_URL !== undefined ? 'postgres' : 'sqlite');
  if (backend === 'sqlite') {
    return { database: { backend: 'sqlite', path: e.DRIFT_SQLITE_PATH }, server, api, drift, maintenance };
  }
  const url = e.DRIFT_DB_URL ?? postgresUrl(e);
  return {
    database: {
      backend: 'postgres',
      url,
      schema: e.POSTGRES_SCHEMA,
      pool: { min: e.DRIFT_PG_POOL_MIN, max: e.DRIFT_PG_POOL_MAX },
      timeouts: { lockMs: e.DRIFT_PG_LOCK_TIMEOUT_MS, statementMs: e.DRIFT_PG_STATEMENT_TIMEOUT_MS },
      applicationName: e.DRIFT_PG_APPLICATION_NAME,
      ...(e.DRIFT_PG_PARTITION !== undefined && { partition: e.DRIFT_PG_PARTITION }),
      ...(e.DRIFT_PG_RETENTION !== undefined && { retention: e.DRIFT_PG_RETENTION }),
    },
    server,
    api,
    drift,
    maintenance,
  };
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function postgresUrl(parts: {
  POSTGRES_HOST: string;
  POSTGRES_PORT: number;
  POSTGRES_DB: string;
  POSTGRES_USER: string;
  POSTGRES_PASSWORD?: string | undefined;
}): string {
  const url = new URL('postgresql://localhost');
  url.hostname = parts.POSTGRES_HOST;
  url.port = String(parts.POSTGRES_PORT);
  url.pathname = `/${encodeURIComponent(parts.POSTGRES_DB)}`;
  url.username = parts.POSTGRES_USER;
  if (parts.POSTGRES_PASSWORD) url.password = parts.POSTGRES_PASSWORD;
  return url.toString();
}

/** The connection string fit for logs and errors: the password, if any, becomes ***. */
export function maskUrl(url: string): string {
  if (!URL.canParse(url)) return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** One line naming where the data lives, safe to print. */
export function describeDatabase(database: DatabaseConfig): string {
  return database.backend === 'sqlite'
    ? `sqlite ${database.path}`
    : `postgres ${maskUrl(database.url)} schema ${database.schema}`;
}
