// `npm run bench` runs every section but scale; `npm run bench -- ingest transfer` runs the named ones.
import { benchAlertsLoad } from './alerts-load.js';
import { benchAnalysis } from './analysis.js';
import { benchCopy } from './copy.js';
import { benchDetection } from './detection.js';
import { benchHttp } from './http.js';
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
  detection: benchDetection,
};
// Scale seeds 11 million rows and runs for ten minutes or more: only when named.
const byDefault = Object.keys(sections).filter((name) => name !== 'scale');

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in sections));
if (unknown.length > 0) {
  console.error(`Unknown section(s): ${unknown.join(', ')}. Sections: ${Object.keys(sections).join(', ')}`);
  process.exit(2);
}
console.log(`# Driftwatch benchmark — node ${process.version}, ${new Date().toISOString()}`);
for (const name of wanted.length > 0 ? wanted : byDefault) await sections[name]!();
