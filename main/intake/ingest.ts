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
import { copyFileAtomicWithHash, writeFileAtomic } from '../store/files.js';
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

    const temp = path.join(this.paths.tmp, `ingest-${crypto.randomUUID()}`);
    let copied;
    try {
      copied = await copyFileAtomicWithHash(file.path, temp);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.recordVanished(target, file, originalName);
      throw error;
    }
    const after = await fs.promises.stat(file.path).catch(() => undefined);
    if (after && (after.size !== copied.size || after.mtimeMs !== file.mtimeMs)) {
      fs.rmSync(temp, { force: true });
      throw new NotReadyError(`${originalName} changed while it was being copied; it will be taken once the scanner is done.`);
    }

    const outcome = this.commit(target, file, originalName, temp, copied.sha256, copied.size);
    fs.rmSync(temp, { force: true });
    if (outcome.kind !== 'quarantined' || outcome.source.stored_path) await this.releaseHotFile(target, outcome.source);
    return outcome;
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

  private commit(target: IngestTarget, file: FoundFile, originalName: string, temp: string, sha256: string, size: number): IngestOutcome {
    const { store } = this;
    // Durable: the scanner's file is deleted right after this commit.
    return store.durableTransaction(() => {
      const earlier = store.sources.findIngestOf(file.path, sha256);
      if (earlier && (earlier.hot_removed === 0 || target.afterIngest === 'keep')) return { kind: 'already', source: earlier } as const;

      const id = crypto.randomUUID();
      const base = { id, sha256, size, originalName, hotFolder: target.hotFolder, hotPath: file.path, hotMtimeMs: file.mtimeMs };
      if (size === 0) {
        const stored = this.keepInQuarantine(id, originalName, temp);
        const source = store.sources.insert({ ...base, storedPath: stored, state: 'quarantined', reasonCode: 'empty', reason: 'The file is empty (0 bytes): the scanner wrote nothing. Scan the page again.' });
        store.audit.record({ actor: this.settings.actor, action: 'quarantine', subjectType: 'source', subjectId: id, toState: 'quarantined', detail: { code: 'empty' } });
        return { kind: 'quarantined', source } as const;
      }

      const first = store.sources.firstWithHash(sha256);
      if (first) {
        const source = store.sources.insert({ ...base, storedPath: first.stored_path, state: 'duplicate', duplicateOf: first.id });
        store.audit.record({ actor: this.settings.actor, action: 'duplicate', subjectType: 'source', subjectId: id, toState: 'duplicate', detail: { duplicateOf: first.id } });
        return { kind: 'duplicate', source, duplicateOf: first } as const;
      }

      const stored = path.join(this.paths.originals, `${sha256}${storedExtension(originalName)}`);
      if (fs.existsSync(stored)) fs.rmSync(temp, { force: true });
      else fs.renameSync(temp, stored);
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
