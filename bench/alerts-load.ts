// Two server processes on one PostgreSQL schema, 1,000 SSE subscribers split between them, and a
// steady write load raising alerts through both: delivery latency across instances and memory.
import { startServerProcess, type ServerProcess } from '../test/support/server-process.js';
import { waitForSubscribers } from '../test/support/subscribers.js';
import { benchDatabase, heading, table } from './support.js';

const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const seconds = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const subscription = JSON.stringify({ query: 'subscription { alertCreated { testName createdAt } }' });

/** One SSE subscriber: calls `onAlert` with each alert's testName and createdAt as it arrives. */
async function subscribe(url: string, signal: AbortSignal, onAlert: (testName: string, createdAt: string) => void): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: subscription, signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').find((line) => line.startsWith('data: '));
        if (!data) continue;
        const alert = JSON.parse(data.slice(6)).data?.alertCreated;
        if (alert) onAlert(alert.testName, alert.createdAt);
      }
    }
  } catch {
    // aborted at the end of the run
  }
}

async function raise(url: string, testName: string): Promise<void> {
  const now = Date.now();
  const rows = Array.from({ length: 20 }, (_, i) => ({ testName, confidence: i < 10 ? 0.9 : 0.5, timestamp: new Date(now - (20 - i) * 60_000).toISOString() }));
  const post = (query: string, variables: object) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }).then((r) => r.json());
  await post(`mutation($i: [RecordMeasurementInput!]!) { recordMeasurements(input: $i) { count } }`, { i: rows });
  await post(`mutation($t: [String!]) { analyzeDrift(input: { testNames: $t }) { alerts { id } } }`, { t: [testName] });
}

async function residentMiB(server: ServerProcess): Promise<number> {
  const text = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
  const match = /^driftwatch_process_resident_memory_bytes (\d+)/m.exec(text);
  return match ? Number(match[1]) / 2 ** 20 : Number.NaN;
}

export async function benchAlertsLoad(): Promise<void> {
  heading(`Alert delivery: 2 instances, ${subscribers} SSE subscribers, alerts raised through both for ${seconds} s`);
  const database = await benchDatabase('postgres');
  if (database.config.backend !== 'postgres') return;
  const env = { DRIFT_BACKEND: 'postgres', DRIFT_DB_URL: database.config.url, POSTGRES_SCHEMA: database.config.schema };
  const instances = [await startServerProcess(env), await startServerProcess(env)];
  const abort = new AbortController();
  const latencies: number[] = [];
  const received = new Map<string, number>();
  try {
    const idleMiB = await Promise.all(instances.map(residentMiB));
    const streams = Array.from({ length: subscribers }, (_, i) =>
      subscribe(instances[i % 2]!.url, abort.signal, (testName, createdAt) => {
        latencies.push(Date.now() - Date.parse(createdAt));
        received.set(testName, (received.get(testName) ?? 0) + 1);
      }),
    );
    await Promise.all(instances.map((instance) => waitForSubscribers(instance.url, subscribers / 2)));
    const deadline = Date.now() + seconds * 1000;
    let raised = 0;
    while (Date.now() < deadline) {
      await raise(instances[raised % 2]!.url, `load-${raised}`);
      raised += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000)); // let the last alerts arrive
    const loadedMiB = await Promise.all(instances.map(residentMiB));
    abort.abort();
    await Promise.allSettled(streams);
    latencies.sort((a, b) => a - b);
    const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
    const complete = [...received.values()].filter((n) => n === subscribers).length;
    table([
      {
        'alerts raised': raised,
        'deliveries expected': raised * subscribers,
        'deliveries received': latencies.length,
        'alerts every subscriber got': complete,
        'latency p50 ms': at(50),
        'latency p99 ms': at(99),
        'RSS per instance MiB (idle -> loaded)': idleMiB.map((m, i) => `${m.toFixed(0)} -> ${loadedMiB[i]!.toFixed(0)}`).join(', '),
      },
    ]);
  } finally {
    abort.abort();
    await Promise.all(instances.map((s) => s.stop()));
    await database.destroy();
  }
}
