import type { DriftAnalysis as StoredAnalysis, TrackedTest as TrackedTestShape } from '../../store/store.js';
import { builder } from '../builder.js';
import { connectionComplexity, nameCursors, namePageRequest, pageRequest, toConnection } from '../pagination.js';
import { DriftAnalysis } from './analysis.js';
import { Measurement, MeasurementConnection, measurementCursor } from './measurement.js';
import { DateTime } from './scalars.js';

export const TrackedTest = builder.objectRef<TrackedTestShape>('TrackedTest').implement({
  description: 'One test as the service has seen it.',
  fields: (t) => ({
    testName: t.exposeString('testName'),
    category: t.exposeString('category', { nullable: true }),
    measurementsCount: t.exposeInt('measurementsCount'),
    firstSeen: t.expose('firstSeen', { type: DateTime }),
    lastSeen: t.expose('lastSeen', { type: DateTime }),
    latestConfidence: t.exposeFloat('latestConfidence'),
    averageConfidence: t.exposeFloat('averageConfidence'),
    // One store call for every test on the page (DataLoader), not one per test.
    latestAnalysis: t.loadable({
      type: DriftAnalysis,
      nullable: true,
      load: async (testNames: string[], { store }) => {
        const latest = new Map<string, StoredAnalysis>((await store.latestAnalyses(testNames)).map((a) => [a.testName, a]));
        return testNames.map((name) => latest.get(name) ?? null);
      },
      resolve: (test) => test.testName,
    }),
    measurements: t.connection(
      {
        type: Measurement,
        complexity: connectionComplexity,
        resolve: async (test, args, { store }) => {
          const filter = { testName: test.testName };
          const page = await store.listMeasurements(filter, pageRequest(args));
          return toConnection(page, measurementCursor, () => store.countMeasurements(filter));
        },
      },
      MeasurementConnection,
    ),
  }),
});

const TrackedTestConnection = builder.connectionObject({ type: TrackedTest, name: 'TrackedTestConnection' }, { name: 'TrackedTestEdge' });

builder.queryFields((t) => ({
  tests: t.connection(
    {
      type: TrackedTest,
      args: { category: t.arg.string(), search: t.arg.string({ validate: { maxLength: 512 } }) },
      complexity: connectionComplexity,
      resolve: async (_root, args, { store }) => {
        const filter = { category: args.category ?? undefined, search: args.search ?? undefined };
        const page = await store.listTests(filter, namePageRequest(args));
        return toConnection(page, (test) => nameCursors.encode(test.testName), () => store.countTests(filter));
      },
    },
    TrackedTestConnection,
  ),
  test: t.field({
    type: TrackedTest,
    nullable: true,
    args: { testName: t.arg.string({ required: true }) },
    resolve: async (_root, { testName }, { store }) => (await store.getTests([testName]))[0] ?? null,
  }),
}));
