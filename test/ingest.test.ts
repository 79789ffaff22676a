/**
 * Ingest on its own: the copy lands in originals/ under its sha256 with the scanner's exact bytes,
 * the scratch copy never outlives the call, and each kind of outcome (new, taken before, duplicate,
 * empty, deleted after the commit) leaves the store as the rest of the station expects.
 */
import { afterEach, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stationPaths } from '../main/config/paths.js';
import { profileSchema } from '../main/config/schema.js';
import { Ingestor, type IngestTarget } from '../main/intake/ingest.js';
import { syncDirectory } from '../main/store/files.js';
import { StationStore } from '../main/store/station-store.js';

const sha = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const open: StationStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

function setUp(afterIngest: 'keep' | 'delete') {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-ingest-'));
  const paths = stationPaths(path.join(root, 'data'));
  for (const dir of [paths.originals, paths.quarantine, paths.tmp]) fs.mkdirSync(dir, { recursive: true });
  const hot = path.join(root, 'hot');
  fs.mkdirSync(hot);
  const store = StationStore.open(paths.database, 'test');
  open.push(store);
  const ingestor = new Ingestor(store, paths, { incompleteGraceMs: 0, actor: 'test' });
  const profile = profileSchema.parse({ name: 'Test', afterIngest, grouping: { rule: 'batch', quietWindowMs: 60_000 } });
  const target: IngestTarget = { hotFolder: hot, profile, afterIngest };
  const drop = (name: string, data: Buffer) => {
    const file = path.join(hot, name);
    fs.writeFileSync(file, data);
    const stat = fs.statSync(file);
    return { path: file, size: stat.size, mtimeMs: stat.mtimeMs };
  };
  return { paths, hot, store, ingestor, target, drop };
}

describe('ingest', () => {
  it('stores new content byte for byte under its sha256 and leaves no scratch copy behind', async () => {
    const { paths, store, ingestor, target, drop } = setUp('keep');
    const data = crypto.randomBytes(3 << 20); // larger than one read of the copy loop
    const file = drop('scan_0001.jpg', data);
    const outcome = await ingestor.ingest(target, file);
    expect(outcome.kind).toBe('ingested');
    expect(outcome.source.sha256).toBe(sha(data));
    expect(outcome.source.stored_path).toBe(path.join('originals', `${sha(data)}.jpg`));
    expect(fs.readFileSync(path.join(paths.dataDir, outcome.source.stored_path!)).equals(data)).toBe(true);
    expect(fs.existsSync(file.path)).toBe(true); // keep mode never touches the scanner's file
    expect(store.jobs.counts().pending).toBe(1);
    expect(fs.readdirSync(paths.tmp)).toEqual([]);

    // The very same file seen again is the same source; the same bytes under another name a duplicate.
    expect((await ingestor.ingest(target, file)).kind).toBe('already');
    const again = await ingestor.ingest(target, drop('scan_0002.jpg', data));
    expect(again.kind).toBe('duplicate');
    expect(again.source.stored_path).toBe(outcome.source.stored_path);
    expect(fs.readdirSync(paths.originals)).toHaveLength(1);
    expect(fs.readdirSync(paths.tmp)).toEqual([]);
    expect(store.jobs.counts().pending).toBe(1);
  });

  it('quarantines an empty file with its name, and stores nothing in originals/', async () => {
    const { paths, ingestor, target, drop } = setUp('keep');
    const outcome = await ingestor.ingest(target, drop('leer.jpg', Buffer.alloc(0)));
    expect(outcome.kind).toBe('quarantined');
    expect(outcome.source.reason_code).toBe('empty');
    expect(fs.existsSync(path.join(paths.dataDir, outcome.source.stored_path!))).toBe(true);
    expect(fs.readdirSync(paths.originals)).toEqual([]);
    expect(fs.readdirSync(paths.tmp)).toEqual([]);
  });

  it('deletes the scanner file only after the commit, and takes files arriving together in one go', async () => {
    const { paths, hot, store, ingestor, target, drop } = setUp('delete');
    const files = Array.from({ length: 12 }, (_, i) => ({ name: `scan_${i + 1}.tif`, data: crypto.randomBytes(50_000 + i) }));
    const outcomes = await Promise.all(files.map((f) => ingestor.ingest(target, drop(f.name, f.data))));
    expect(outcomes.map((o) => o.kind)).toEqual(files.map(() => 'ingested'));
    expect(fs.readdirSync(hot)).toEqual([]);
    for (const [i, outcome] of outcomes.entries()) {
      expect(fs.readFileSync(path.join(paths.dataDir, outcome.source.stored_path!)).equals(files[i]!.data)).toBe(true);
      expect(store.sources.get(outcome.source.id)!.hot_removed).toBe(1);
    }
    expect(new Set(outcomes.map((o) => o.source.seq)).size).toBe(files.length);
    expect(fs.readdirSync(paths.tmp)).toEqual([]);
  });
});

describe('folder sync', () => {
  it('answers every caller, shares a sync among callers arriving together, and reports a folder that is gone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-dirsync-'));
    await expect(Promise.all(Array.from({ length: 20 }, () => syncDirectory(dir)))).resolves.toHaveLength(20);
    await expect(syncDirectory(path.join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
    await expect(syncDirectory(dir)).resolves.toBeUndefined();
  });
});
