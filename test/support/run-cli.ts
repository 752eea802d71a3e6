import { execFile } from 'node:child_process';
import path from 'node:path';
import type { DatabaseConfig } from '../../src/config.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const bin = path.resolve('bin/drift.js');

/** The environment that points the CLI (or `drift serve`) at a test database, under the database's own application name. */
export function databaseEnv(config: DatabaseConfig): Record<string, string> {
  return config.backend === 'sqlite'
    ? { DRIFT_BACKEND: 'sqlite', DRIFT_SQLITE_PATH: config.path }
    : { DRIFT_BACKEND: 'postgres', DRIFT_DB_URL: config.url, POSTGRES_SCHEMA: config.schema, DRIFT_PG_APPLICATION_NAME: config.applicationName ?? 'driftwatch' };
}

/** Runs `drift` as a real subprocess; never throws on a non-zero exit. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
