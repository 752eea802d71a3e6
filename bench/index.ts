// `npm run bench` runs every section but scale and retention; `npm run bench -- ingest transfer` runs the named ones.
import { benchAlertsLoad } from './alerts-load.js';
import { benchAnalysis } from './analysis.js';
import { benchCopy } from './copy.js';
import { benchDetection } from './detection.js';
import { benchHttp } from './http.js';
import { benchRetention } from './retention.js';
import { benchScale } from './scale.js';
import { benchStoreIngest } from './store-ingest.js';
import { benchTransfer } from './transfer.js';

const sections: Record<string, () => Promise<void>> = {
  ingest: benchStoreIngest,
  transfer: benchTransfer,
  copy: benchCopy,
  analysis: benchAnalysis,
  http: benchHttp,
  alerts: benchAlertsLoad,
  scale: benchScale,
  retention: benchRetention,
  detection: benchDetection,
};
// Scale and retention seed 10 million rows or more and run for many minutes: only when named.
const byDefault = Object.keys(sections).filter((name) => name !== 'scale' && name !== 'retention');

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in sections));
if (unknown.length > 0) {
  console.error(`Unknown section(s): ${unknown.join(', ')}. Sections: ${Object.keys(sections).join(', ')}`);
  process.exit(2);
}
console.log(`# Driftwatch benchmark — node ${process.version}, ${new Date().toISOString()}`);
for (const name of wanted.length > 0 ? wanted : byDefault) await sections[name]!();
