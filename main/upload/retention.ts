/**
 * Retention: a configurable number of days after a confirmed delivery, the station deletes its own
 * copies (PDF, page images, originals) and marks the document 'purged' in the audit trail. Only
 * confirmed deliveries qualify (state 'uploaded' and the target's checksum equal to the PDF's);
 * an original is deleted only once every page cut from it belongs to a purged document.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StationPaths } from '../config/paths.js';
import { jbig2SidecarPath } from '../pdf/jbig2-sidecar.js';
import type { StationStore } from '../store/station-store.js';
import type { StationEvent } from '../../preload/contract/events.js';
import { SendStore } from './send-store.js';

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  store: StationStore;
  paths: StationPaths;
  retentionDays: number;
  emit(event: StationEvent): void;
  clock?: () => number;
  intervalMs?: number;
  onProblem?(message: string): void;
}

export class Retention {
  private readonly rows: SendStore;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RetentionOptions) {
    this.rows = new SendStore(options.store.db);
  }

  start(): void {
    this.stop();
    this.timer = setInterval(() => this.safePass(), this.options.intervalMs ?? 3_600_000);
    this.timer.unref();
    this.safePass();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private safePass(): void {
    try {
      this.purgeDue();
    } catch (error) {
      this.options.onProblem?.(`Retention pass failed: ${(error as Error).message}`);
    }
  }

  /** Purges what is due at `nowMs`; returns the purged document ids. */
  purgeDue(nowMs: number = (this.options.clock ?? Date.now)()): string[] {
    const { store, paths } = this.options;
    const cutoff = nowMs - this.options.retentionDays * DAY_MS;
    const due = this.rows.dueForPurge(cutoff);
    const purged: string[] = [];
    for (const sent of due) {
      const document = store.documents.get(sent.document_id)!;
      const pages = store.pages.forDocument(document.id);
      const files: string[] = [];
      if (document.pdf_path) files.push(path.join(paths.dataDir, document.pdf_path));
      for (const page of pages) files.push(path.join(paths.pages, page.image_path));
      // A black-and-white page's JBIG2 stream kept beside its file (jbig2-sidecar.ts).
      const sidecars = pages.map((page) => jbig2SidecarPath(path.join(paths.pages, page.image_path)));
      for (const sourceId of new Set(pages.map((p) => p.source_id))) {
        const source = store.sources.get(sourceId);
        if (!source?.stored_path) continue;
        const others = store.pages.forSource(sourceId).filter((p) => p.document_id !== document.id);
        const allPurged = others.every((p) => p.document_id !== null && store.documents.get(p.document_id)?.state === 'purged');
        if (allPurged) files.push(path.join(paths.dataDir, source.stored_path));
      }
      // Files first: a crash in between leaves an 'uploaded' document that the next pass purges again.
      for (const file of [...files, ...sidecars]) fs.rmSync(file, { force: true });
      store.transaction(() => {
        store.documents.setState(document.id, 'purged');
        this.rows.markPurged(document.id);
        store.audit.record({
          actor: 'station',
          action: 'purge',
          subjectType: 'document',
          subjectId: document.id,
          fromState: 'uploaded',
          toState: 'purged',
          detail: { files: files.length, deliveredAt: sent.delivered_at, retentionDays: this.options.retentionDays },
        });
      });
      purged.push(document.id);
    }
    if (purged.length > 0) this.options.emit({ type: 'documents-changed', ids: purged, states: ['purged'] });
    return purged;
  }
}
