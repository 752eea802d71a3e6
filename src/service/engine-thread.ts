// The drift engine on a thread of its own: analyzeTests over batches the service posts, answered
// by the batch's id. Everything crossing is plain values (structured clone keeps the Dates).
import { parentPort } from 'node:worker_threads';
import { analyzeTests, type TestsToAnalyze } from '../drift/analyze-tests.js';
import type { DriftSettings } from '../drift/settings.js';

export interface EngineRequest {
  id: number;
  input: TestsToAnalyze;
  settings: DriftSettings;
}

parentPort!.on('message', ({ id, input, settings }: EngineRequest) => {
  try {
    parentPort!.postMessage({ id, output: analyzeTests(input, settings) });
  } catch (error) {
    parentPort!.postMessage({ id, error });
  }
});
