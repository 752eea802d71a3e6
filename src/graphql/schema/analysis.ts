import type { AnalyzeOutcome } from '../../service/drift-service.js';
import type { AnalysisFilter as StoreFilter, NewDriftAnalysis } from '../../store/store.js';
import { builder } from '../builder.js';
import { loadStored } from '../global-ids.js';
import { connectionComplexity, pageRequest, timeCursors, toConnection } from '../pagination.js';
import { DriftAlert } from './alert.js';
import { DateTime, DriftDirection, DriftKind, DriftSeverity } from './scalars.js';

/** A stored analysis has an id; a live one (computed now, not stored) is keyed by its test. */
export type AnalysisShape = NewDriftAnalysis & { id?: number };

const livePrefix = 'live:';

const SeverityThresholds = builder
  .objectRef<{ low: number; medium: number; high: number; critical: number }>('SeverityThresholds')
  .implement({
    description: 'drift_percentage fractions at which each severity starts',
    fields: (t) => ({
      low: t.exposeFloat('low'),
      medium: t.exposeFloat('medium'),
      high: t.exposeFloat('high'),
      critical: t.exposeFloat('critical'),
    }),
  });

export const DriftAnalysis = builder.loadableNode(builder.objectRef<AnalysisShape>('DriftAnalysis'), {
  id: { resolve: (a) => (a.id === undefined ? `${livePrefix}${a.testName}` : a.id) },
  load: async (keys: string[], context) => {
    const stored = await loadStored(keys, (ids) => context.store.getAnalyses(ids));
    return Promise.all(
      keys.map((key, i) =>
        // A live analysis' id resolves to the same test's drift computed again, now.
        stored[i] ?? (key.startsWith(livePrefix) ? context.drift.preview(key.slice(livePrefix.length)) : null),
      ),
    ) as Promise<AnalysisShape[]>;
  },
  fields: (t) => ({
    testName: t.exposeString('testName'),
    category: t.exposeString('category', { nullable: true }),
    baselineConfidence: t.exposeFloat('baselineConfidence'),
    currentConfidence: t.exposeFloat('currentConfidence'),
    driftPercentage: t.exposeFloat('driftPercentage', {
      description: 'the graded size of the drift as a fraction (0.05 is 5 %), either way: the relative change of the level, or for FLAKINESS and VARIANCE the rise in the share of runs gone low or wild',
    }),
    driftAbsolute: t.exposeFloat('driftAbsolute'),
    severity: t.expose('severity', { type: DriftSeverity }),
    direction: t.expose('direction', { type: DriftDirection }),
    kind: t.expose('kind', { type: DriftKind, nullable: true, description: 'what the sequential detector confirmed changed; null without a confirmed drift' }),
    trend: t.exposeString('trend', { description: 'improving, degrading, stable, volatile or insufficient_data' }),
    measurementsCount: t.exposeInt('measurementsCount'),
    timeSpanSeconds: t.exposeFloat('timeSpanSeconds'),
    recommendations: t.exposeStringList('recommendations'),
    analyzedAt: t.expose('analyzedAt', { type: DateTime }),
    pValue: t.exposeFloat('pValue', {
      nullable: true,
      description: 'Mann-Whitney p-value between the baseline and current windows, as one look would see it (informational: the sequential detector decides); null with too few points',
    }),
    changePointAt: t.expose('changePointAt', { type: DateTime, nullable: true, description: 'CUSUM estimate of when the drift began' }),
    stored: t.boolean({ description: 'false for a live analysis computed on request', resolve: (a) => a.id !== undefined }),
    thresholds: t.field({
      type: SeverityThresholds,
      description: 'the thresholds in effect for this category',
      resolve: (a, _args, { drift }) => drift.thresholdsFor(a.category),
    }),
  }),
});

export const DriftAnalysisConnection = builder.connectionObject(
  { type: DriftAnalysis, name: 'DriftAnalysisConnection' },
  { name: 'DriftAnalysisEdge' },
);

const AnalysisFilter = builder.inputType('AnalysisFilter', {
  fields: (t) => ({
    testName: t.string(),
    category: t.string(),
    minSeverity: t.field({ type: DriftSeverity }),
    since: t.field({ type: DateTime }),
  }),
});

builder.queryFields((t) => ({
  driftAnalysis: t.field({
    type: DriftAnalysis,
    nullable: true,
    description: 'Computes the drift of one test from its measurements now; persists nothing.',
    args: { testName: t.arg.string({ required: true }) },
    resolve: (_root, { testName }, { drift }) => drift.preview(testName),
  }),
  analyses: t.connection(
    {
      type: DriftAnalysis,
      args: { filter: t.arg({ type: AnalysisFilter }) },
      complexity: connectionComplexity,
      resolve: async (_root, args, { store }) => {
        const filter: StoreFilter = {
          testName: args.filter?.testName ?? undefined,
          category: args.filter?.category ?? undefined,
          minSeverity: args.filter?.minSeverity ?? undefined,
          since: args.filter?.since ?? undefined,
        };
        const page = await store.listAnalyses(filter, pageRequest(args));
        return toConnection<AnalysisShape>(page, (a) => timeCursors.encode(a.analyzedAt, a.id!), () => store.countAnalyses(filter));
      },
    },
    DriftAnalysisConnection,
  ),
}));

const AnalyzeDriftInput = builder.inputType('AnalyzeDriftInput', {
  fields: (t) => ({
    testNames: t.stringList({ description: 'all tests with measurements when both are left out' }),
    category: t.string(),
    all: t.boolean({
      description:
        'Without testNames, analyse every test; by default only tests with measurements stored since their latest analysis are analysed again.',
    }),
  }),
});

const AnalyzeDriftPayload = builder.objectRef<AnalyzeOutcome>('AnalyzeDriftPayload').implement({
  fields: (t) => ({
    analyzedTests: t.int({ description: 'How many tests were analysed (the length of analyses).', resolve: (outcome) => outcome.analyses.length }),
    analyses: t.field({ type: [DriftAnalysis], resolve: (outcome) => outcome.analyses }),
    alerts: t.field({ type: [DriftAlert], resolve: (outcome) => outcome.alerts }),
  }),
});

builder.mutationField('analyzeDrift', (t) =>
  t.field({
    type: AnalyzeDriftPayload,
    description: 'Analyses the tests, stores each analysis, and raises an alert where the drift calls for one.',
    authScopes: { write: true },
    args: { input: t.arg({ type: AnalyzeDriftInput }) },
    resolve: (_root, { input }, { drift }) =>
      drift.analyze({ testNames: input?.testNames ?? undefined, category: input?.category ?? undefined, all: input?.all ?? undefined }),
  }),
);
