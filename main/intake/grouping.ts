/**
 * Grouping pages into documents: a multi-page file is one document; single-page files of one
 * scanner batch (arriving within the profile's quiet window) become one document, in scan order.
 */
import crypto from 'node:crypto';
import type { Profile } from '../config/schema.js';
import type { StationStore } from '../store/station-store.js';
import type { SourceRow } from '../store/sources.js';
import type { PageRow } from '../store/pages.js';

import { compareNames } from './order.js';

/** Scan order: natural order of names (scan_2 before scan_10), then modification time, then arrival. */
export function compareScanOrder(a: SourceRow, b: SourceRow): number {
  return (
    compareNames(a.original_name, b.original_name) ||
    (a.hot_mtime_ms ?? 0) - (b.hot_mtime_ms ?? 0) ||
    a.seq - b.seq
  );
}

export interface GroupingSettings {
  actor: string;
  profileFor(hotFolder: string): Profile;
  /** Title of a new document, e.g. "Scan 25.11.2026 14:03". */
  titleFor?(createdAt: Date): string;
  /**
   * Mailroom profiles: splits a batch's processed sources (scan order) into documents, inside the
   * caller's transaction (main/mailroom/flow). Without it a mailroom batch is grouped like any other.
   */
  mailroom?: {
    split(batchId: string | null, hotFolder: string, profile: Profile, sources: SourceRow[]): string[];
  };
}

export class Grouper {
  constructor(
    private readonly store: StationStore,
    private readonly settings: GroupingSettings,
  ) {}

  /** Call in the transaction that records a processed source. Returns the new document's id, if one was made. */
  onSourceProcessed(source: SourceRow): string | null {
    const profile = this.settings.profileFor(source.hot_folder);
    const pages = this.store.pages.forSource(source.id);
    if (profile.kind === 'mailroom' && this.settings.mailroom) {
      // A mailroom batch is split when it closes; a file outside any batch is split on its own now.
      if (source.batch_id) return null;
      return this.settings.mailroom.split(null, source.hot_folder, profile, [source])[0] ?? null;
    }
    if (source.batch_id && pages.length === 1 && profile.grouping.rule === 'batch') return null;
    return this.createDocument([source], source.hot_folder, profile, source.batch_id);
  }

  /**
   * Closes each batch whose quiet window has passed once all its files are processed (or rejected),
   * making one document of its single-page files. Returns the new documents' ids.
   */
  closeQuietBatches(nowMs: number): string[] {
    const created: string[] = [];
    for (const batch of this.store.batches.quiet(nowMs)) {
      const id = this.store.transaction(() => {
        // Checked before loading the members: a large batch is polled many times while its last files are processed.
        if (this.store.sources.anyIngestedInBatch(batch.id)) return undefined;
        const members = this.store.sources.inBatch(batch.id);
        if (members.some((s) => s.state === 'ingested')) return undefined;
        const loose = members.filter((s) => s.state === 'processed' && !s.document_id).sort(compareScanOrder);
        const profile = this.settings.profileFor(batch.hot_folder);
        if (profile.kind === 'mailroom' && this.settings.mailroom) {
          const documentIds = loose.length ? this.settings.mailroom.split(batch.id, batch.hot_folder, profile, loose) : [];
          this.store.batches.close(batch.id);
          this.store.audit.record({ actor: this.settings.actor, action: 'close_batch', subjectType: 'batch', subjectId: batch.id, detail: { files: members.length, documents: documentIds.length } });
          return documentIds;
        }
        const documentId = loose.length ? this.createDocument(loose, batch.hot_folder, profile, batch.id) : null;
        this.store.batches.close(batch.id);
        this.store.audit.record({ actor: this.settings.actor, action: 'close_batch', subjectType: 'batch', subjectId: batch.id, detail: { files: members.length, documentId } });
        return documentId;
      });
      if (Array.isArray(id)) created.push(...id);
      else if (id) created.push(id);
    }
    return created;
  }

  private createDocument(sources: SourceRow[], hotFolder: string, profile: Profile, batchId: string | null): string {
    const { store } = this;
    const id = crypto.randomUUID();
    const createdAt = new Date();
    store.documents.insert({
      id,
      title: (this.settings.titleFor ?? defaultTitle)(createdAt),
      hotFolder,
      profileName: profile.name,
      documentType: profile.defaultDocumentType,
      batchId,
    });
    const pages: PageRow[] = sources.flatMap((source) => store.pages.forSource(source.id));
    const dropBlank = profile.dropBlankPages && pages.some((page) => !page.blank);
    pages.forEach((page, position) => store.pages.assign(page.id, id, position, dropBlank && page.blank === 1));
    for (const source of sources) store.sources.setDocument(source.id, id);
    store.jobs.enqueue('assemble_document', id);
    store.audit.record({
      actor: this.settings.actor,
      action: 'create_document',
      subjectType: 'document',
      subjectId: id,
      toState: 'processing',
      detail: { sources: sources.map((s) => s.id), pages: pages.length, batchId },
    });
    return id;
  }
}

function defaultTitle(createdAt: Date): string {
  const date = createdAt.toLocaleDateString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric' });
  const time = createdAt.toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit' });
  return `Scan ${date} ${time}`;
}
