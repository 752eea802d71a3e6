import { GraphQLError } from 'graphql';
import { SubscriberTooSlowError } from '../../service/alert-bus.js';
import { severityRank, type AlertFilter as StoreFilter, type DriftAlert as AlertShape } from '../../store/store.js';
import { builder } from '../builder.js';
import { badUserInput, notFound } from '../errors.js';
import { globalIds, loadStored, storedId } from '../global-ids.js';
import { connectionComplexity, pageRequest, timeCursors, toConnection } from '../pagination.js';
import { DateTime, DriftSeverity } from './scalars.js';

export const DriftAlert = builder.loadableNode(builder.objectRef<AlertShape>('DriftAlert'), {
  id: { resolve: (a) => a.id },
  // Missing nodes load as null, which node(id:) returns as such.
  load: (keys: string[], context) => loadStored(keys, (ids) => context.store.getAlerts(ids)) as Promise<AlertShape[]>,
  fields: (t) => ({
    testName: t.exposeString('testName'),
    category: t.exposeString('category', { nullable: true }),
    severity: t.expose('severity', { type: DriftSeverity }),
    driftPercentage: t.exposeFloat('driftPercentage'),
    message: t.exposeString('message'),
    recommendations: t.exposeStringList('recommendations'),
    createdAt: t.expose('createdAt', { type: DateTime }),
    acknowledged: t.exposeBoolean('acknowledged'),
    acknowledgedAt: t.expose('acknowledgedAt', { type: DateTime, nullable: true }),
    acknowledgedBy: t.exposeString('acknowledgedBy', { nullable: true }),
  }),
});

const DriftAlertConnection = builder.connectionObject({ type: DriftAlert, name: 'DriftAlertConnection' }, { name: 'DriftAlertEdge' });

const AlertFilter = builder.inputType('AlertFilter', {
  fields: (t) => ({
    testName: t.string(),
    minSeverity: t.field({ type: DriftSeverity }),
    acknowledged: t.boolean(),
    since: t.field({ type: DateTime }),
  }),
});

builder.queryField('alerts', (t) =>
  t.connection(
    {
      type: DriftAlert,
      args: { filter: t.arg({ type: AlertFilter }) },
      complexity: connectionComplexity,
      resolve: async (_root, args, { store }) => {
        const filter: StoreFilter = {
          testName: args.filter?.testName ?? undefined,
          minSeverity: args.filter?.minSeverity ?? undefined,
          acknowledged: args.filter?.acknowledged ?? undefined,
          since: args.filter?.since ?? undefined,
        };
        const page = await store.listAlerts(filter, pageRequest(args));
        return toConnection(page, (a) => timeCursors.encode(a.createdAt, a.id), () => store.countAlerts(filter));
      },
    },
    DriftAlertConnection,
  ),
);

builder.mutationField('acknowledgeAlert', (t) =>
  t.field({
    type: DriftAlert,
    description: 'by: who acknowledges; an authenticated caller’s identity takes its place. A second acknowledgement keeps the first.',
    authScopes: { write: true },
    args: {
      id: t.arg.id({ required: true }),
      by: t.arg.string({ validate: { maxLength: 256 } }),
    },
    resolve: async (_root, args, { store, principal }) => {
      const { typename, id: key } = globalIds.decode(String(args.id));
      if (typename !== 'DriftAlert') throw badUserInput(`id: expected a DriftAlert id, got a ${typename} id`);
      const id = storedId(key);
      const result = id === null ? ({ status: 'not-found' } as const) : await store.acknowledgeAlert(id, principal?.name ?? args.by ?? null, new Date());
      if (result.status === 'not-found') throw notFound(`No alert with id ${args.id}`);
      return result.alert;
    },
  }),
);

builder.subscriptionField('alertCreated', (t) =>
  t.field({
    type: DriftAlert,
    description: 'Every alert raised from now on, on any server instance sharing the database.',
    args: {
      minSeverity: t.arg({ type: DriftSeverity }),
      testName: t.arg.string(),
      category: t.arg.string(),
    },
    subscribe: async function* (_root, args, { alerts, signal }) {
      try {
        for await (const alert of alerts.subscribe(signal)) {
          if (args.minSeverity && severityRank(alert.severity) < severityRank(args.minSeverity)) continue;
          if (args.testName && alert.testName !== args.testName) continue;
          if (args.category && alert.category !== args.category) continue;
          yield alert;
        }
      } catch (error) {
        if (!(error instanceof SubscriberTooSlowError)) throw error;
        throw new GraphQLError(
          `This subscription fell behind: ${error.message}. Subscribe again, and read what was missed from alerts(since:).`,
          { extensions: { code: 'SUBSCRIBER_TOO_SLOW' } },
        );
      }
    },
    resolve: (alert) => alert,
  }),
);
