/** Fills a station's database before it starts: many documents at once, without scanning them. */
import { stationPaths } from '../../../main/config/paths.js';
import { StationStore } from '../../../main/store/station-store.js';

export interface SeedDocuments {
  count: number;
  state?: 'needs_review' | 'ready' | 'queued' | 'error';
  hotFolder: string;
  profileName?: string;
}

/** Inserts `count` documents, one minute apart, the newest titled "Dokument <count>". Returns their ids, newest first. */
export function seedDocuments(dataDir: string, options: SeedDocuments): string[] {
  const store = StationStore.open(stationPaths(dataDir).database, 'e2e-seed');
  const ids: string[] = [];
  try {
    const insert = store.db.prepare(
      `INSERT INTO documents (id, state, title, hot_folder, profile_name, page_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const start = Date.now() - options.count * 60_000;
    store.transaction(() => {
      for (let i = 1; i <= options.count; i++) {
        const id = `seed-${String(i).padStart(5, '0')}`;
        const at = new Date(start + i * 60_000).toISOString();
        insert.run(id, options.state ?? 'needs_review', `Dokument ${i}`, options.hotFolder, options.profileName ?? 'Empfang', 1 + (i % 4), at, at);
        ids.push(id);
      }
    });
  } finally {
    store.close();
  }
  return ids.reverse();
}
