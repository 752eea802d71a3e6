// Prometheus metrics: what operators alert on. Counted at the edges (the store and the drift
// service are wrapped), so resolvers and the engine stay free of instrumentation.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { DriftService } from '../service/drift-service.js';
import type { Store } from '../store/store.js';

export interface Metrics {
  registry: Registry;
  plugin: Plugin;
  instrumentStore(store: Store): Store;
  instrumentDrift(drift: DriftService): DriftService;
}

export function createMetrics(store: Store, subscribers: () => number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'driftwatch_' });
  const operations = new Histogram({
    name: 'driftwatch_graphql_operation_seconds',
    help: 'GraphQL operations by name and type, with their outcome',
    labelNames: ['operation', 'type', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'driftwatch_graphql_errors_total',
    help: 'GraphQL errors returned, by code',
    labelNames: ['code'],
    registers: [registry],
  });
  const recorded = new Counter({ name: 'driftwatch_measurements_recorded_total', help: 'Measurements stored', registers: [registry] });
  const raised = new Counter({
    name: 'driftwatch_alerts_raised_total',
    help: 'Alerts raised, by severity',
    labelNames: ['severity'],
    registers: [registry],
  });
  const analysis = new Histogram({
    name: 'driftwatch_analysis_seconds',
    help: 'Duration of one analyzeDrift run',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
    registers: [registry],
  });
  new Gauge({
    name: 'driftwatch_alerts_unacknowledged',
    help: 'Alerts nobody acknowledged yet (read from the database at scrape time)',
    registers: [registry],
    async collect() {
      this.set(await store.countAlerts({ acknowledged: false }));
    },
  });
  new Gauge({
    name: 'driftwatch_alert_subscribers',
    help: 'alertCreated subscriptions open on this instance',
    registers: [registry],
    collect() {
      this.set(subscribers());
    },
  });
  new Gauge({
    name: 'driftwatch_db_pool_connections',
    help: 'PostgreSQL pool connections by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = store.poolStats();
      if (!stats) return;
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });

  // Operation names come from clients; a bounded set keeps a hostile client from exploding the label space.
  const knownOperations = new Set<string>();
  const operationLabel = (name: string | undefined) => {
    if (!name || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'anonymous';
    if (knownOperations.has(name)) return name;
    if (knownOperations.size >= 200) return 'other';
    knownOperations.add(name);
    return name;
  };

  const plugin: Plugin = {
    onExecute({ args }) {
      const operation = (args.document as DocumentNode).definitions.find(
        (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
      );
      const labels = {
        operation: operationLabel(args.operationName ?? operation?.name?.value),
        type: operation?.operation ?? 'unknown',
      };
      const stop = operations.startTimer(labels);
      return {
        onExecuteDone({ result }) {
          const failed = 'errors' in result && (result.errors?.length ?? 0) > 0;
          stop({ outcome: failed ? 'error' : 'ok' });
        },
      };
    },
    onResultProcess({ result }) {
      for (const single of Array.isArray(result) ? result : [result]) {
        for (const error of (single as { errors?: { extensions?: { code?: unknown } }[] }).errors ?? []) {
          errors.inc({ code: String(error.extensions?.code ?? 'UNKNOWN') });
        }
      }
    },
  };

  return {
    registry,
    plugin,
    instrumentStore: function instrument(inner: Store): Store {
      return new Proxy(inner, {
        get(target, key, receiver) {
          if (key === 'recordMeasurement') {
            return async (...args: Parameters<Store['recordMeasurement']>) => {
              const saved = await target.recordMeasurement(...args);
              recorded.inc();
              return saved;
            };
          }
          if (key === 'recordMeasurements') {
            return async (...args: Parameters<Store['recordMeasurements']>) => {
              const outcome = await target.recordMeasurements(...args);
              recorded.inc(outcome.inserted + outcome.replaced);
              return outcome;
            };
          }
          if (key === 'createAlert') {
            return async (...args: Parameters<Store['createAlert']>) => {
              const alert = await target.createAlert(...args);
              raised.inc({ severity: alert.severity });
              return alert;
            };
          }
          if (key === 'createAlerts') {
            return async (...args: Parameters<Store['createAlerts']>) => {
              const alerts = await target.createAlerts(...args);
              for (const alert of alerts) raised.inc({ severity: alert.severity });
              return alerts;
            };
          }
          if (key === 'withTestLocks') {
            // Alerts are raised through the locked store: count those too.
            return <T>(testNames: readonly string[], work: (locked: Store) => Promise<T>) => target.withTestLocks(testNames, (locked) => work(instrument(locked)));
          }
          const value = Reflect.get(target, key, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
    instrumentDrift: (inner) => ({
      preview: (testName) => inner.preview(testName),
      thresholdsFor: (category) => inner.thresholdsFor(category),
      analyze: async (request) => {
        const stop = analysis.startTimer();
        try {
          return await inner.analyze(request);
        } finally {
          stop();
        }
      },
    }),
  };
}
