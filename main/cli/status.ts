/** Counts per state and the quarantine list, read without disturbing a running station. */
import fs from 'node:fs';
import { stationPaths } from '../config/paths.js';
import { openDatabase } from '../store/db.js';
import { StationStore } from '../store/station-store.js';

export async function runStatus(options: { dataDir: string; json: boolean }): Promise<number> {
  const paths = stationPaths(options.dataDir);
  if (!fs.existsSync(paths.database)) {
    console.error(`No station database in ${paths.dataDir} yet: start the station once (npm start) or pass --data-dir.`);
    return 1;
  }
  const store = new StationStore(openDatabase(paths.database, { readonly: true }), 'status');
  try {
    const status = {
      documents: store.documents.countsByState(),
      jobs: store.jobs.counts(),
      openBatches: store.batches.openCount(),
      duplicates: store.sources.duplicates().length,
      quarantined: store.sources.quarantined().map((s) => ({ sourceId: s.id, name: s.original_name, code: s.reason_code, reason: s.reason, at: s.updated_at })),
    };
    if (options.json) {
      console.log(JSON.stringify(status));
      return 0;
    }
    console.log(`Data folder: ${paths.dataDir}`);
    console.log('Documents:');
    for (const [state, count] of Object.entries(status.documents)) console.log(`  ${state.padEnd(14)} ${count}`);
    console.log(`Open work:   ${status.jobs.pending + status.jobs.running} step(s), ${status.openBatches} open batch(es)`);
    console.log(`Duplicates:  ${status.duplicates}`);
    console.log(`Quarantine:  ${status.quarantined.length}`);
    for (const q of status.quarantined) console.log(`  ${q.at}  ${q.name}: ${q.reason}`);
    return 0;
  } finally {
    store.close();
  }
}
