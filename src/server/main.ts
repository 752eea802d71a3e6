import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyLimitFor, defaultMaxWebSocketConnections, describeDatabase, type Config } from '../config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type { AlertBus } from '../service/alert-bus.js';
import { startPgAlertBus } from '../service/pg-alert-bus.js';
import { startPolledAlertBus } from '../service/stored-alert-bus.js';
import { IngestAnalyzer, scheduleRetention, scheduleStorageMaintenance } from '../service/background-work.js';
import { engineWorker } from '../service/engine-worker.js';
import { StoreDriftService } from '../service/store-drift-service.js';
import { anonymousExposureProblem } from './listen-guard.js';
import { authenticate } from '../graphql/authentication.js';
import { createMetrics } from './metrics.js';
import { readBody, refuse } from './request-body.js';
import { createReadiness } from './readiness.js';
import { useRequestLog } from './request-log.js';
import type { Logger } from './logger.js';
import { attachWebSocketSubscriptions } from './websocket.js';
import { createYoga } from './yoga.js';

export interface RunningServer {
  /** Where GraphQL (and GraphiQL) is served, e.g. http://127.0.0.1:4000/graphql */
  url: string;
  /** The origin of the separate /metrics and /ready listener, when DRIFT_METRICS_PORT asks for one. */
  metricsOrigin: string | null;
  close(): Promise<void>;
}

/** Every alert committed to the database reaches subscribers, whoever raised it: LISTEN/NOTIFY on PostgreSQL, a poll on SQLite. */
async function openAlertBus(config: Config, store: Store, logger: Logger): Promise<AlertBus> {
  const onError = (error: unknown) => logger.warn({ err: error }, 'alert stream could not read new alerts');
  if (config.database.backend !== 'postgres') return startPolledAlertBus(store, { onError });
  return startPgAlertBus({
    url: config.database.url,
    schema: config.database.schema,
    applicationName: `${config.database.applicationName ?? 'driftwatch'}-alerts`,
    store,
    onError: (error) => logger.warn({ err: error }, 'alert listener lost its connection; reconnecting'),
  });
}

/** Opens the store, builds the API and listens; `close` shuts down in order, logging each step. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const exposure = anonymousExposureProblem(config);
  if (exposure) throw new Error(exposure);

  const database = await openStore(config.database);
  logger.info({ database: describeDatabase(config.database) }, 'database ready');
  const alerts = await openAlertBus(config, database, logger);
  const metrics = createMetrics(database, () => alerts.subscriberCount());
  const readiness = createReadiness(database);
  const store = readiness.watch(metrics.instrumentStore(database));
  const drift = metrics.instrumentDrift(new StoreDriftService(store, alerts, config.drift));
  // Every pass then analyses off the thread that answers requests, the smallest included.
  engineWorker.prepare();
  const ingestAnalyzer = config.maintenance.analyzeAfterIngest ? new IngestAnalyzer(drift, config.maintenance.analyzeDebounceMs, logger) : null;
  const retention = scheduleRetention(store, config.maintenance, logger);
  const storageMaintenance = scheduleStorageMaintenance(store, logger);
  const yoga = createYoga({
    store: ingestAnalyzer ? ingestAnalyzer.watch(store) : store,
    drift,
    alerts,
    config: config.api,
    logger,
    plugins: [metrics.plugin, useRequestLog(logger)],
  });

  /** Answers /metrics and /ready; false for any other path. */
  const monitoring = (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    if (req.url === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(503).end(),
      );
      return true;
    }
    if (req.url === '/ready') {
      void readiness.check().then(({ ready, status }) =>
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status })),
      );
      return true;
    }
    return false;
  };
  // Where API keys guard the API, they guard what it tells about itself too: any API key or the
  // metrics key opens /metrics and /ready. /health says only that the process is up.
  const monitoringKeys = [...config.api.keys, ...(config.server.metricsKey ? [{ name: 'metrics', key: config.server.metricsKey, scopes: [] }] : [])];
  const bodyLimits = { maxBytes: config.server.maxBodyBytes ?? bodyLimitFor(config.api.maxBatchSize), maxDepth: 32 };
  /** Reads a body only for a caller holding a key (where keys are set), and only as much as allowed. */
  const guardBody = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const refused = (status: number, code: string, message: string) => {
      logger.info({ method: req.method, path: req.url?.split('?')[0], status, codes: [code] }, 'request refused before reading its body');
      refuse(res, status, code, message);
    };
    if (config.api.keys.length > 0 && !authenticate(config.api.keys, req.headers.authorization ?? null)) {
      refused(401, 'UNAUTHENTICATED', 'A valid API key is required: send "Authorization: Bearer <key>".');
      return;
    }
    void readBody(req, bodyLimits).then((outcome) => {
      if (!outcome.ok) return refused(outcome.status, outcome.code, outcome.message);
      // graphql-yoga's Node adapter takes a body already read from `req.body`, as behind a body parser.
      (req as { body?: unknown }).body = outcome.body;
      void yoga(req, res);
    });
  };
  const server = http.createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if ((req.url === '/metrics' || req.url === '/ready') && config.api.keys.length > 0 && !authenticate(monitoringKeys, req.headers.authorization ?? null)) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end('{"error":"a valid API key or metrics key is required"}');
      return;
    }
    if (monitoring(req, res)) return;
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') void yoga(req, res);
    else guardBody(req, res);
  });
  const monitoringServer =
    config.server.metricsPort === undefined ? null : http.createServer((req, res) => monitoring(req, res) || void res.writeHead(404).end());
  const listen = (target: http.Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      target.once('error', reject);
      target.listen(port, config.server.host, () => resolve());
    });
  try {
    await listen(server, config.server.port);
    if (monitoringServer) await listen(monitoringServer, config.server.metricsPort!);
  } catch (error) {
    server.close();
    monitoringServer?.close();
    // A taken port must not leave the database connections and the listener behind.
    retention.stop();
    storageMaintenance.stop();
    await alerts.close();
    await database.close();
    throw error;
  }
  // Attached once listening, so a failed listen is not reported again by the WebSocket server.
  const websockets = attachWebSocketSubscriptions(server, yoga, {
    keys: config.api.keys,
    maxConnections: config.server.maxWebSocketConnections ?? defaultMaxWebSocketConnections,
    maxMessageBytes: bodyLimits.maxBytes,
  });
  const { port } = server.address() as AddressInfo;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `http://${host}:${port}${yoga.graphqlEndpoint}`;
  logger.info({ endpoint: url }, 'serving GraphQL');
  const metricsOrigin = monitoringServer ? `http://${host}:${(monitoringServer.address() as AddressInfo).port}` : null;
  if (metricsOrigin) logger.info({ endpoint: metricsOrigin }, 'serving /metrics and /ready');

  return {
    url,
    metricsOrigin,
    close: async () => {
      // Stop taking connections, end subscriptions, let in-flight requests finish, then the database.
      monitoringServer?.close();
      monitoringServer?.closeAllConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await alerts.close();
      await websockets.close();
      server.closeIdleConnections();
      await closed;
      logger.info('http server closed');
      await yoga.dispose();
      logger.info('graphql closed');
      retention.stop();
      storageMaintenance.stop();
      await ingestAnalyzer?.close();
      await database.close();
      logger.info('database closed');
    },
  };
}
