/**
 * Ingest: copy the scanner's file into the station store with its sha256, commit the row, and only
 * then remove it from the hot folder. Every branch ends in a committed row, so a file is never
 * lost and never taken twice, whatever moment a crash or power cut picks.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Profile } from '../config/schema.js';
import type { StationPaths } from '../config/paths.js';
import type { StationStore } from '../store/station-store.js';
import type { SourceRow } from '../store/sources.js';
import { copyFileWithHash, syncDirectory, writeFileAtomic, type CopiedFile } from '../store/files.js';
import { checkComplete } from './completeness.js';

export interface IngestTarget {
  /** The hot folder's path (or a label such as "cli" for one-shot runs). */
  hotFolder: string;
  profile: Profile;
  /** 'keep' never touches the scanner's file (also used by the one-shot CLI). */
  afterIngest: 'delete' | 'keep';
}

export interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export type IngestOutcome =
  | { kind: 'ingested'; source: SourceRow }
  | { kind: 'duplicate'; source: SourceRow; duplicateOf: SourceRow }
  | { kind: 'quarantined'; source: SourceRow }
  /** This very file was taken before (kept in the hot folder, or a crash hit before its removal). */
  | { kind: 'already'; source: SourceRow };

/** The file is not finished yet: try again later. */
export class NotReadyError extends Error {
  override name = 'NotReadyError';
}

export interface IngestSettings {
  /** An unfinished-looking file that has not changed for this long is taken anyway (and quarantined if broken). */
  incompleteGraceMs: number;
  actor: string;
}

export class Ingestor {
  constructor(
    private readonly store: StationStore,
    private readonly paths: StationPaths,
    private readonly settings: IngestSettings,
  ) {}

  async ingest(target: IngestTarget, file: FoundFile): Promise<IngestOutcome> {
    const originalName = path.basename(file.path);
    if (Date.now() - file.mtimeMs < this.settings.incompleteGraceMs) {
      if (file.size === 0) throw new NotReadyError(`${originalName} is still empty; waiting for the scanner.`);
      const completeness = await checkComplete(file.path).catch(() => 'unknown' as const);
      if (completeness === 'incomplete') throw new NotReadyError(`${originalName} does not end like a whole file yet; waiting for the scanner.`);
    }

    // A scratch name: tmp/ is emptied at every start and never named in the database, so a copy a
    // crash cut short there needs no temporary name of its own, no rename and no folder sync.
    const scratch = path.join(this.paths.tmp, `ingest-${crypto.randomUUID()}`);
    let copied;
    try {
      copied = await copyFileWithHash(file.path, scratch);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.recordVanished(target, file, originalName);
      throw error;
    }
    try {
      const after = await fs.promises.stat(file.path).catch(() => undefined);
      if (after && (after.size !== copied.size || after.mtimeMs !== file.mtimeMs)) {
        throw new NotReadyError(`${originalName} changed while it was being copied; it will be taken once the scanner is done.`);
      }
      const stored = await this.storeOriginal(target, file, originalName, scratch, copied);
      const outcome = this.commit(target, file, originalName, scratch, copied.sha256, copied.size, stored);
      if (outcome.kind !== 'quarantined' || outcome.source.stored_path) await this.releaseHotFile(target, outcome.source);
      return outcome;
    } finally {
      await fs.promises.rm(scratch, { force: true });
    }
  }

  /**
   * New content goes to originals/<sha256>.<ext> before the row that names it is committed: the
   * copy's data is already synced, the rename is synced here (a folder sync shared with other
   * ingests at the same moment), so a committed row never names a file that is not whole, even
   * after a power cut. Content the store already holds, an empty file and a file taken before
   * are left to commit(). Returns the stored path, or null.
   */
  private async storeOriginal(target: IngestTarget, file: FoundFile, originalName: string, scratch: string, copied: CopiedFile): Promise<string | null> {
    const { sources } = this.store;
    if (copied.size === 0 || sources.firstWithHash(copied.sha256)) return null;
    const earlier = sources.findIngestOf(file.path, copied.sha256);
    if (earlier && (earlier.hot_removed === 0 || target.afterIngest === 'keep')) return null;
    const stored = path.join(this.paths.originals, `${copied.sha256}${storedExtension(originalName)}`);
    // An existing file of this name holds these very bytes (named by their hash): left as it is.
    if (!fs.existsSync(stored)) await fs.promises.rename(scratch, stored);
    await syncDirectory(this.paths.originals);
    return stored;
  }

  /** Finishes removals that a crash interrupted: the copy is committed, the hot file may still be there. */
  async finishPendingRemovals(isDeleteMode: (hotFolder: string) => boolean): Promise<number> {
    let removed = 0;
    for (const source of this.store.sources.awaitingRemoval()) {
      if (!isDeleteMode(source.hot_folder)) continue;
      if (await this.removeIfUnchanged(source)) removed++;
    }
    return removed;
  }

  private commit(target: IngestTarget, file: FoundFile, originalName: string, scratch: string, sha256: string, size: number, stored: string | null): IngestOutcome {
    const { store } = this;
    // Durable when the scanner's file is deleted right after this commit. A kept file is still in
    // the hot folder: a commit a power cut takes back only means the file is taken again.
    const transaction = target.afterIngest === 'delete' ? store.durableTransaction.bind(store) : store.transaction.bind(store);
    return transaction(() => {
      const earlier = store.sources.findIngestOf(file.path, sha256);
      if (earlier && (earlier.hot_removed === 0 || target.afterIngest === 'keep')) return { kind: 'already', source: earlier } as const;

      const id = crypto.randomUUID();
      const base = { id, sha256, size, originalName, hotFolder: target.hotFolder, hotPath: file.path, hotMtimeMs: file.mtimeMs };
      if (size === 0) {
        const kept = this.keepInQuarantine(id, originalName, scratch);
        const source = store.sources.insert({ ...base, storedPath: kept, state: 'quarantined', reasonCode: 'empty', reason: 'The file is empty (0 bytes): the scanner wrote nothing. Scan the page again.' });
        store.audit.record({ actor: this.settings.actor, action: 'quarantine', subjectType: 'source', subjectId: id, toState: 'quarantined', detail: { code: 'empty' } });
        return { kind: 'quarantined', source } as const;
      }

      const first = store.sources.firstWithHash(sha256);
      if (first) {
        const source = store.sources.insert({ ...base, storedPath: first.stored_path, state: 'duplicate', duplicateOf: first.id });
        store.audit.record({ actor: this.settings.actor, action: 'duplicate', subjectType: 'source', subjectId: id, toState: 'duplicate', detail: { duplicateOf: first.id } });
        return { kind: 'duplicate', source, duplicateOf: first } as const;
      }

      if (!stored) throw new Error(`The copy of ${originalName} was not stored before its commit.`);
      const batchId = target.profile.grouping.rule === 'batch' ? store.joinBatch(target.hotFolder, target.profile.grouping.quietWindowMs, Date.now()) : null;
      const source = store.sources.insert({ ...base, storedPath: path.relative(this.paths.dataDir, stored), state: 'ingested', batchId });
      store.jobs.enqueue('process_source', id);
      store.audit.record({ actor: this.settings.actor, action: 'ingest', subjectType: 'source', subjectId: id, toState: 'ingested', detail: { sha256, size, batchId } });
      return { kind: 'ingested', source } as const;
    });
  }

  private recordVanished(target: IngestTarget, file: FoundFile, originalName: string): IngestOutcome {
    const { store } = this;
    return store.transaction(() => {
      const id = crypto.randomUUID();
      const source = store.sources.insert({
        id, sha256: null, size: null, originalName, hotFolder: target.hotFolder, hotPath: file.path, hotMtimeMs: file.mtimeMs,
        storedPath: null, state: 'quarantined', reasonCode: 'vanished',
        reason: 'The file disappeared from the folder before it could be read; nothing was taken from it. If the page is missing, scan it again.',
      });
      store.sources.markRemovedFromHotFolder(id);
      store.audit.record({ actor: this.settings.actor, action: 'quarantine', subjectType: 'source', subjectId: id, toState: 'quarantined', detail: { code: 'vanished' } });
      return { kind: 'quarantined', source } as const;
    });
  }

  /** Keeps a bad file byte for byte under quarantine/<sourceId>/ with its original name. */
  keepInQuarantine(sourceId: string, originalName: string, from: string): string {
    const target = path.join(this.paths.quarantine, sourceId, originalName);
    writeFileAtomic(target, fs.readFileSync(from));
    return path.relative(this.paths.dataDir, target);
  }

  private async releaseHotFile(target: IngestTarget, source: SourceRow): Promise<void> {
    if (target.afterIngest === 'keep' || source.hot_removed) return;
    await this.removeIfUnchanged(source);
  }

  /** Deletes the scanner's file only if it is still the one we copied (same size and mtime). */
  private async removeIfUnchanged(source: SourceRow): Promise<boolean> {
    const stat = await fs.promises.stat(source.hot_path).catch(() => undefined);
    if (stat && stat.size === source.size && stat.mtimeMs === source.hot_mtime_ms) {
      await fs.promises.rm(source.hot_path, { force: true });
    }
    this.store.sources.markRemovedFromHotFolder(source.id);
    return true;
  }
}

/** Keeps a short, safe extension for the stored copy; the format itself is read from the bytes. */
function storedExtension(name: string): string {
  const ext = path.extname(name).toLowerCase();
  return /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '';
}
