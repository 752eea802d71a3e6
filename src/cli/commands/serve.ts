import { Command } from 'commander';
import { commandConfig, withDatabaseOptions } from '../database-options.js';

export const serveCommand = withDatabaseOptions(new Command('serve'))
  .description('serve the GraphQL API (GraphiQL at /graphql); applies migrations on start')
  .option('--host <host>', 'address to listen on (HOST, default 127.0.0.1)')
  .option('--port <port>', 'port to listen on (PORT, default 4000)')
  .addHelpText('after', '\nExamples:\n  drift serve\n  drift serve --db-backend postgres --db-url postgresql://drift@db:5432/drift --port 8080')
  .action(async (options: { host?: string; port?: string }, command: Command) => {
    const config = commandConfig(command, { host: options.host, port: options.port });
    // graphql-js drops its development-only checks (costly on every input value) in production;
    // it reads this once, when first loaded, which is just below.
    process.env.NODE_ENV ??= 'production';
    // Loaded here so the other commands start without building the GraphQL schema.
    const { startServer } = await import('../../server/main.js');
    const { createServiceLog } = await import('../../server/logger.js');
    // Anything else written to a closed stdout or stderr (a dead log reader) is dropped, not a crash.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
    const log = createServiceLog();
    const logger = log.logger;
    const server = await startServer(config, logger);
    let stopping = false;
    const exit = async (code: number) => {
      await log.close(1_000);
      process.exit(code);
    };
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      // An orderly shutdown that cannot finish (a client that never lets go, a database that never
      // answers) must not leave a process that ignores SIGTERM.
      const deadline = setTimeout(() => {
        logger.error({ timeoutMs: config.server.shutdownTimeoutMs }, 'shutdown did not finish in time; exiting');
        void exit(1);
      }, config.server.shutdownTimeoutMs!);
      server.close().then(
        () => {
          clearTimeout(deadline);
          void exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          void exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
