import type { Measurement as MeasurementShape, MeasurementFilter as StoreFilter, RecordOutcome } from '../../store/store.js';
import { builder } from '../builder.js';
import { badUserInput } from '../errors.js';
import { loadStored } from '../global-ids.js';
import { connectionComplexity, pageRequest, timeCursors, toConnection } from '../pagination.js';
import { DateTime } from './scalars.js';

export const Measurement = builder.loadableNode(builder.objectRef<MeasurementShape>('Measurement'), {
  id: { resolve: (m) => m.id },
  // Missing nodes load as null, which node(id:) returns as such.
  load: (keys: string[], context) => loadStored(keys, (ids) => context.store.getMeasurements(ids)) as Promise<MeasurementShape[]>,
  fields: (t) => ({
    testName: t.exposeString('testName'),
    confidence: t.exposeFloat('confidence'),
    category: t.exposeString('category', { nullable: true }),
    timestamp: t.expose('timestamp', { type: DateTime }),
    failureId: t.exposeString('failureId', { nullable: true }),
    ruleScore: t.exposeFloat('ruleScore', { nullable: true }),
    signalScore: t.exposeFloat('signalScore', { nullable: true }),
    createdAt: t.expose('createdAt', { type: DateTime }),
  }),
});

export const MeasurementConnection = builder.connectionObject({ type: Measurement, name: 'MeasurementConnection' }, { name: 'MeasurementEdge' });

export const MeasurementFilter = builder.inputType('MeasurementFilter', {
  fields: (t) => ({
    testName: t.string(),
    category: t.string(),
    since: t.field({ type: DateTime }),
    until: t.field({ type: DateTime }),
  }),
});

type FilterInput = { testName?: string | null; category?: string | null; since?: Date | null; until?: Date | null } | null | undefined;

export function measurementFilter(input: FilterInput): StoreFilter {
  return {
    testName: input?.testName ?? undefined,
    category: input?.category ?? undefined,
    since: input?.since ?? undefined,
    until: input?.until ?? undefined,
  };
}

export const measurementCursor = (m: MeasurementShape) => timeCursors.encode(m.timestamp, m.id);

builder.queryField('measurements', (t) =>
  t.connection(
    {
      type: Measurement,
      args: { filter: t.arg({ type: MeasurementFilter }) },
      complexity: connectionComplexity,
      resolve: async (_root, args, { store }) => {
        const filter = measurementFilter(args.filter);
        const page = await store.listMeasurements(filter, pageRequest(args));
        return toConnection(page, measurementCursor, () => store.countMeasurements(filter));
      },
    },
    MeasurementConnection,
  ),
);

export const RecordMeasurementInput = builder.inputType('RecordMeasurementInput', {
  fields: (t) => ({
    testName: t.string({ required: true }),
    confidence: t.float({ required: true }),
    category: t.string(),
    timestamp: t.field({ type: DateTime, description: 'defaults to the time the server receives it' }),
    failureId: t.string(),
    ruleScore: t.float(),
    signalScore: t.float(),
  }),
});

const RecordMeasurementsPayload = builder.objectRef<RecordOutcome>('RecordMeasurementsPayload').implement({
  fields: (t) => ({
    count: t.int({ description: 'Rows stored: inserted + replaced.', resolve: (o) => o.inserted + o.replaced }),
    inserted: t.exposeInt('inserted', { description: 'Rows that added a measurement.' }),
    replaced: t.exposeInt('replaced', {
      description: 'Rows that replaced the value stored for their test and timestamp, or given by an earlier row of the batch.',
    }),
  }),
});

builder.mutationFields((t) => ({
  recordMeasurement: t.field({
    type: Measurement,
    authScopes: { write: true },
    args: { input: t.arg({ type: RecordMeasurementInput, required: true }) },
    // The store validates every field (range, length, date) and names the offending one.
    resolve: (_root, { input }, { store }) => store.recordMeasurement(input),
  }),
  recordMeasurements: t.field({
    type: RecordMeasurementsPayload,
    description:
      'All or nothing: one bad row rejects the whole batch and stores none of it. A test and timestamp recorded again replaces its value, so a retried batch is stored once.',
    authScopes: { write: true },
    args: { input: t.arg({ type: [RecordMeasurementInput], required: true }) },
    resolve: async (_root, { input }, { store, api }) => {
      if (input.length > api.maxBatchSize) {
        throw badUserInput(`input: ${input.length} rows is more than the ${api.maxBatchSize} one call may carry; split the batch`);
      }
      return store.recordMeasurements(input);
    },
  }),
}));
