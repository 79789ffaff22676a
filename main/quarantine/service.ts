/**
 * Quarantine as staff deal with it: list what is waiting, hand out the kept original, retry it
 * (taken in again as a new source file, processed anew, back here if it fails again) or discard it
 * (the kept bytes are deleted; the row stays, marked, with an audit entry). A quarantined row is
 * never changed back: its history stays as it was, and `quarantine_outcome` says it was dealt with.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { QuarantineItemView, QuarantineOriginalView } from '../../preload/contract/quarantine.js';
import { maxOriginalBytes } from '../../preload/contract/quarantine.js';
import { ApiError, notFound } from '../api/errors.js';
import type { Station } from '../station.js';
import { copyFileAtomicWithHash, tempPathFor } from '../store/files.js';
import { nowIso } from '../store/clock.js';
import { statement } from '../store/statements.js';
import type { SourceRow } from '../store/sources.js';

interface QuarantineRow extends SourceRow {
  quarantine_outcome: 'retried' | 'discarded' | null;
  quarantine_closed_at: string | null;
  retried_as: string | null;
}

const OPEN = `state = 'quarantined' AND quarantine_outcome IS NULL`;

function view(row: QuarantineRow, hasOriginal: boolean): QuarantineItemView {
  return {
    sourceId: row.id,
    originalName: row.original_name,
    code: row.reason_code ?? 'unknown',
    reason: row.reason ?? '',
    at: row.updated_at,
    ingestedAt: row.ingested_at,
    size: row.size,
    hasOriginal,
  };
}

/** The kept file's absolute path, only if it lies inside the station's quarantine folder. */
function keptPath(station: Station, row: QuarantineRow): string | null {
  if (!row.stored_path) return null;
  const absolute = path.resolve(station.paths.dataDir, row.stored_path);
  const root = path.resolve(station.paths.quarantine) + path.sep;
  return absolute.startsWith(root) ? absolute : null;
}

function openRow(station: Station, sourceId: string): QuarantineRow {
  const row = statement(station.store.db, 'SELECT * FROM source_files WHERE id = ?').get(sourceId) as QuarantineRow | undefined;
  if (!row) throw notFound('Source file', sourceId);
  if (row.state !== 'quarantined' || row.quarantine_outcome !== null) {
    throw new ApiError('not_quarantined', `The file ${sourceId} is not in quarantine (any more).`);
  }
  return row;
}

export function listQuarantine(station: Station, offset: number, limit: number): { items: QuarantineItemView[]; total: number } {
  const { db } = station.store;
  const total = (statement(db, `SELECT COUNT(*) AS n FROM source_files WHERE ${OPEN}`).get() as { n: number }).n;
  const rows = statement(db, `SELECT * FROM source_files WHERE ${OPEN} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(limit, offset) as QuarantineRow[];
  return {
    items: rows.map((row) => {
      const kept = keptPath(station, row);
      return view(row, kept !== null && fs.existsSync(kept));
    }),
    total,
  };
}

export function readQuarantineOriginal(station: Station, sourceId: string): QuarantineOriginalView {
  const row = openRow(station, sourceId);
  const kept = keptPath(station, row);
  const stat = kept ? fs.statSync(kept, { throwIfNoEntry: false }) : undefined;
  if (!kept || !stat?.isFile()) throw new ApiError('original_missing', `No original is kept for ${sourceId}.`);
  if (stat.size > maxOriginalBytes) {
    throw new ApiError('original_too_large', `The original is ${Math.ceil(stat.size / 2 ** 20)} MB; open it from the station's quarantine folder instead.`);
  }
  const bytes = fs.readFileSync(kept);
  return { name: row.original_name, size: bytes.length, base64: bytes.toString('base64') };
}

/** Keeps a short, safe extension for the stored copy (as ingest does). */
function storedExtension(name: string): string {
  const ext = path.extname(name).toLowerCase();
  return /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '';
}

export async function retryQuarantined(station: Station, actor: string, sourceId: string): Promise<{ sourceId: string; newSourceId: string }> {
  const row = openRow(station, sourceId);
  const kept = keptPath(station, row);
  if (!kept || !fs.existsSync(kept)) throw new ApiError('original_missing', `No original is kept for ${sourceId}; there is nothing to process again.`);
  try {
    station.profileFor(row.hot_folder);
  } catch {
    throw new ApiError('profile_missing', `The hot folder this file came from is no longer configured, so there is no profile to process it with.`);
  }

  // The bytes go back where ingest keeps originals (content-addressed) before the row says so.
  const scratch = tempPathFor(path.join(station.paths.tmp, `retry-${crypto.randomUUID()}`));
  const copied = await copyFileAtomicWithHash(kept, scratch);
  const stored = path.join(station.paths.originals, `${copied.sha256}${storedExtension(row.original_name)}`);
  if (fs.existsSync(stored)) fs.rmSync(scratch, { force: true });
  else fs.renameSync(scratch, stored);

  const newSourceId = crypto.randomUUID();
  const { store } = station;
  // Durable: the quarantined copy is deleted right after this commit.
  store.durableTransaction(() => {
    const again = openRow(station, sourceId); // Another window may have retried or discarded it meanwhile.
    store.sources.insert({
      id: newSourceId,
      sha256: copied.sha256,
      size: copied.size,
      originalName: again.original_name,
      hotFolder: again.hot_folder,
      hotPath: again.hot_path,
      hotMtimeMs: again.hot_mtime_ms,
      storedPath: path.relative(station.paths.dataDir, stored),
      state: 'ingested',
      // No batch: a retried file becomes a document of its own.
      batchId: null,
    });
    // The scanner's file is long gone (or was kept on purpose): nothing to remove from the hot folder.
    store.sources.markRemovedFromHotFolder(newSourceId);
    store.jobs.enqueue('process_source', newSourceId);
    statement(store.db, `UPDATE source_files SET quarantine_outcome = 'retried', quarantine_closed_at = ?, retried_as = ?, stored_path = NULL, updated_at = ? WHERE id = ?`)
      .run(nowIso(), newSourceId, nowIso(), sourceId);
    store.audit.record({ actor, action: 'quarantine_retry', subjectType: 'source', subjectId: sourceId, fromState: 'quarantined', toState: 'retried', detail: { newSourceId, code: again.reason_code } });
    store.audit.record({ actor, action: 'ingest', subjectType: 'source', subjectId: newSourceId, toState: 'ingested', detail: { sha256: copied.sha256, size: copied.size, retryOf: sourceId } });
  });
  removeKept(station, kept);
  station.emit('ingested', { sourceId: newSourceId, name: row.original_name, hotFolder: row.hot_folder });
  station.emit('ui', { type: 'quarantine-changed' });
  return { sourceId, newSourceId };
}

export function discardQuarantined(station: Station, actor: string, sourceId: string): { sourceId: string } {
  const { store } = station;
  const kept = store.durableTransaction(() => {
    const row = openRow(station, sourceId);
    statement(store.db, `UPDATE source_files SET quarantine_outcome = 'discarded', quarantine_closed_at = ?, stored_path = NULL, updated_at = ? WHERE id = ?`)
      .run(nowIso(), nowIso(), sourceId);
    store.audit.record({ actor, action: 'quarantine_discard', subjectType: 'source', subjectId: sourceId, fromState: 'quarantined', toState: 'discarded', detail: { code: row.reason_code, size: row.size } });
    return keptPath(station, row);
  });
  // After the commit: a crash in between leaves a stray file in quarantine/, never a row without its file.
  if (kept) removeKept(station, kept);
  station.emit('ui', { type: 'quarantine-changed' });
  return { sourceId };
}

/** Deletes a kept original and its quarantine/<sourceId>/ folder once empty. */
function removeKept(station: Station, kept: string): void {
  fs.rmSync(kept, { force: true });
  const folder = path.dirname(kept);
  if (path.dirname(folder) === path.resolve(station.paths.quarantine)) {
    try {
      fs.rmdirSync(folder);
    } catch {
      // Not empty (something else was kept beside it): leave it.
    }
  }
}
