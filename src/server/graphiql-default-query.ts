/** What a newcomer sees first in GraphiQL: the tests drifting and the open alerts. */
export const defaultQuery = `# Welcome to Driftwatch. Press ▶ to run.
# Record a measurement from a pipeline with:
#   mutation { recordMeasurement(input: { testName: "login", confidence: 0.93, category: "auth" }) { id } }

query Overview {
  statistics { totalTests totalMeasurements avgConfidence unacknowledgedAlerts }
  tests(first: 20) {
    totalCount
    edges {
      node {
        testName
        category
        measurementsCount
        latestConfidence
        latestAnalysis { severity direction trend driftPercentage recommendations }
      }
    }
  }
  alerts(first: 10, filter: { acknowledged: false }) {
    edges { node { id severity message createdAt } }
  }
}
`;
