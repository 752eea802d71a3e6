// What the server writes to its log: JSON lines, the codes of clients' mistakes at info, and for a
// fault its kind, code and statement, never the data a request carried.
import { describe, expect } from 'vitest';
import { databaseEnv } from '../support/run-cli.js';
import { startServerProcess } from '../support/server-process.js';
import { rejectTestNamed, storeTest } from '../support/test-stores.js';

const test = storeTest('postgres');
const batch = `mutation Ingest($input: [RecordMeasurementInput!]!) { recordMeasurements(input: $input) { count } }`;

describe('server logs', () => {
  test('hold no request data, and log a client mistake once at info with its code', async ({ database, store: _migrated }) => {
    // The database refuses one row itself (a trigger): a fault the server did not foresee.
    await rejectTestNamed(database.config, 'private-test-49');
    const server = await startServerProcess({ ...databaseEnv(database.config), LOG_LEVEL: 'info' });
    const post = (variables: object) =>
      fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: batch, operationName: 'Ingest', variables }) }).then((r) => r.json());
    try {
      const rows = Array.from({ length: 50 }, (_, i) => ({ testName: `private-test-${i}`, confidence: 0.5, failureId: `PRIVATE-FAILURE-${i}` }));
      const failed = await post({ input: rows });
      expect(failed.errors[0].extensions.code).toBeDefined();
      const mistake = await post({ input: [{ testName: 'private-test-x', confidence: 7 }] });
      expect(mistake.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      await server.stop();

      const output = server.stdout();
      expect(output).not.toMatch(/PRIVATE-FAILURE|private-test/);
      const lines = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
      const requests = lines.filter((line) => line.msg === 'request' && line.operation === 'Ingest');
      expect(requests.map((line) => [line.level, line.codes])).toStrictEqual([
        [30, [failed.errors[0].extensions.code]],
        [30, ['BAD_USER_INPUT']],
      ]);
      const faults = lines.filter((line) => line.level >= 50);
      expect(faults).toHaveLength(1);
      expect(faults[0]!.fault).toStrictEqual({ name: expect.any(String), code: 'P0001', query: 'insert confidence_measurements' });
      expect(JSON.stringify(faults[0])).not.toMatch(/stack|\$1|params/);
    } finally {
      await server.stop();
    }
  });
});
