import { Option, type Command } from 'commander';
import { loadConfig, type Config, type ConfigFlags } from '../config.js';

/** The seed's database flags, on every command; each wins over its environment variable. */
export function withDatabaseOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--db-backend <backend>', 'sqlite or postgres (DRIFT_BACKEND; default: postgres when a URL is given, else sqlite)').choices([
        'sqlite',
        'postgres',
        'postgresql',
      ]),
    )
    .option('--sqlite-path <file>', 'SQLite database file (DRIFT_SQLITE_PATH, default data/drift_tracking.db)')
    .option('--db-path <file>', 'the same as --sqlite-path (the original CrossBridge CLI\'s name)')
    .option('--db-url <url>', 'postgresql:// URL, wins over the parts below and selects postgres (DRIFT_DB_URL)')
    .option('--db-host <host>', 'PostgreSQL host (POSTGRES_HOST)')
    .option('--db-port <port>', 'PostgreSQL port (POSTGRES_PORT)')
    .option('--db-name <name>', 'PostgreSQL database (POSTGRES_DB)')
    .option('--db-user <user>', 'PostgreSQL user (POSTGRES_USER)')
    .option(
      '--db-password <password>',
      'PostgreSQL password (prefer POSTGRES_PASSWORD: a flag shows in the process list and shell history)',
    )
    .option('--db-schema <schema>', 'PostgreSQL schema (POSTGRES_SCHEMA, default drift)');
}

/** Flags > environment > defaults, for the command being run. */
export function commandConfig(command: Command, extra: ConfigFlags = {}): Config {
  const o = command.optsWithGlobals<Record<string, string | undefined>>();
  const sqlitePath = o.sqlitePath ?? o.dbPath;
  // A flag naming one kind of database selects that backend unless --db-backend says otherwise,
  // so `--db-url postgresql://...` alone never silently reads the default SQLite file.
  const implied = o.dbUrl !== undefined ? 'postgres' : sqlitePath !== undefined ? 'sqlite' : undefined;
  const flags: ConfigFlags = {
    dbBackend: o.dbBackend ?? implied,
    sqlitePath,
    dbUrl: o.dbUrl,
    dbHost: o.dbHost,
    dbPort: o.dbPort,
    dbName: o.dbName,
    dbUser: o.dbUser,
    dbPassword: o.dbPassword,
    dbSchema: o.dbSchema,
    ...extra,
  };
  return loadConfig(process.env, Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)));
}
