import { defaultRetention, maxRetentionDays } from '../../config.js';
import type { Statistics } from '../../store/store.js';
import { builder } from '../builder.js';
import { DateTime, StorageBackend } from './scalars.js';

const DriftStatistics = builder.objectRef<Statistics & { unacknowledgedAlerts: number }>('DriftStatistics').implement({
  fields: (t) => ({
    totalTests: t.exposeInt('totalTests'),
    totalMeasurements: t.exposeInt('totalMeasurements'),
    avgConfidence: t.exposeFloat('avgConfidence', { nullable: true, description: 'null when there is no measurement in scope' }),
    minConfidence: t.exposeFloat('minConfidence', { nullable: true }),
    maxConfidence: t.exposeFloat('maxConfidence', { nullable: true }),
    unacknowledgedAlerts: t.exposeInt('unacknowledgedAlerts'),
  }),
});

const DatabaseInfo = builder
  .objectRef<{ backend: 'sqlite' | 'postgres'; sizeBytes: number; schema: string | null }>('DatabaseInfo')
  .implement({
    fields: (t) => ({
      backend: t.expose('backend', { type: StorageBackend }),
      sizeBytes: t.exposeFloat('sizeBytes'),
      schema: t.exposeString('schema', { nullable: true, description: 'the PostgreSQL schema in use; null on SQLite' }),
    }),
  });

builder.queryFields((t) => ({
  statistics: t.field({
    type: DriftStatistics,
    args: { category: t.arg.string(), since: t.arg({ type: DateTime }) },
    resolve: async (_root, args, { store }) => {
      const [statistics, unacknowledgedAlerts] = await Promise.all([
        store.statistics({ category: args.category ?? undefined, since: args.since ?? undefined }),
        store.countAlerts({ acknowledged: false }),
      ]);
      return { ...statistics, unacknowledgedAlerts };
    },
  }),
  database: t.field({
    type: DatabaseInfo,
    resolve: async (_root, _args, { store }) => ({
      backend: store.backend,
      sizeBytes: await store.databaseSizeBytes(),
      schema: store.schema,
    }),
  }),
}));

const retentionDays = { min: 0, max: maxRetentionDays };

const CleanupInput = builder.inputType('CleanupInput', {
  fields: (t) => ({
    measurementsDays: t.int({ defaultValue: defaultRetention.measurementsDays, validate: retentionDays }),
    analysisDays: t.int({ defaultValue: defaultRetention.analysisDays, validate: retentionDays }),
    alertsDays: t.int({ defaultValue: defaultRetention.alertsDays, validate: retentionDays }),
  }),
});

const CleanupResult = builder.objectRef<{ measurements: number; analyses: number; alerts: number }>('CleanupResult').implement({
  fields: (t) => ({
    measurements: t.exposeInt('measurements'),
    analyses: t.exposeInt('analyses'),
    alerts: t.exposeInt('alerts'),
  }),
});

builder.mutationFields((t) => ({
  cleanup: t.field({
    type: CleanupResult,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CleanupInput }) },
    resolve: (_root, { input }, { store }) =>
      store.cleanup(
        {
          measurementsDays: input?.measurementsDays ?? defaultRetention.measurementsDays,
          analysisDays: input?.analysisDays ?? defaultRetention.analysisDays,
          alertsDays: input?.alertsDays ?? defaultRetention.alertsDays,
        },
        new Date(),
      ),
  }),
  vacuum: t.boolean({
    authScopes: { admin: true },
    resolve: async (_root, _args, { store }) => {
      await store.vacuum();
      return true;
    },
  }),
}));
