/**
 * The mailroom flow as the station uses it: marks are read for every page of a mailroom source
 * while it is processed (in the clean-up's own worker task, committed with the pages), progress is reported
 * per batch as sources finish, and a closed batch is split into documents (create-documents.ts).
 */
import type { Profile } from '../../config/schema.js';
import type { StationStore } from '../../store/station-store.js';
import type { SourceRow } from '../../store/sources.js';
import type { DocumentState } from '../../store/documents.js';
import type { StationEvent } from '../../../preload/contract/events.js';
import { MailroomStore } from './store.js';
import { ProgressTracker, type ProgressUpdate } from './progress.js';
import { createBatchDocuments } from './create-documents.js';
import type { CustomerLookup } from './customer-lookup.js';
import type { MarksLike } from './types.js';
import type { BarcodeRuleConfig } from '../codes/rules.js';
import type { MarksRequest, PageMarksOutcome } from '../codes/worker-task.js';

/** A processed page as the clean-up's task returns it, with the marks it read (ProcessSourceTask.marks). */
export interface ProcessedPageMarks {
  pageId: string;
  blank: boolean;
  /** Missing on blank pages (not read). */
  marks?: PageMarksOutcome;
}

export interface ReadMarks {
  pageId: string;
  marks: MarksLike | null;
  error: string | null;
  ms: number | null;
}

export interface MailroomFlowOptions {
  store: StationStore;
  actor: string;
  emit(event: StationEvent): void;
  /** The configured barcode rules (config.mailroom.barcodeRules), if any. */
  barcodeRules(): unknown[] | undefined;
  /** Finds a customer by the number a barcode or cover sheet gives. */
  lookup: CustomerLookup;
  now?: () => number;
}

const emptyMarks = (): MarksLike => ({ barcodes: [], separator: null, coverSheet: null, assignments: [] });

export class MailroomFlow {
  readonly store: MailroomStore;
  private readonly progress = new ProgressTracker();
  private readonly lastProgress = new Map<string, ProgressUpdate>();
  private readonly lookup: CustomerLookup;
  private readonly justSplit: string[] = [];

  constructor(private readonly options: MailroomFlowOptions) {
    this.store = new MailroomStore(options.store.db);
    this.lookup = options.lookup;
  }

  static applies(profile: Profile): boolean {
    return profile.kind === 'mailroom';
  }

  /**
   * What the clean-up's task is asked to read on a mailroom source's pages: their marks are read
   * in the same worker task as the clean-up, from the pixels it has just encoded.
   */
  marksRequest(): MarksRequest {
    const rules = this.options.barcodeRules();
    return rules ? { rules: rules as BarcodeRuleConfig[] } : {};
  }

  /**
   * The marks of a processed source's pages, to be saved with them. Blank pages were not read: a
   * page with less ink than a short word holds no separator, cover sheet or barcode. A page that
   * could not be read has null marks (its document is flagged), never a failed source.
   */
  marksOf(pages: ProcessedPageMarks[]): ReadMarks[] {
    return pages.map((page): ReadMarks => {
      if (page.blank) return { pageId: page.pageId, marks: emptyMarks(), error: null, ms: 0 };
      if (!page.marks) return { pageId: page.pageId, marks: null, error: 'The page marks were not read.', ms: null };
      return { pageId: page.pageId, marks: page.marks.marks, error: page.marks.error, ms: page.marks.ms };
    });
  }

  /** Call in the transaction that stores the pages. */
  saveMarks(read: ReadMarks[]): void {
    for (const page of read) this.store.saveMarks(page.pageId, page.marks, page.error, page.ms);
  }

  /**
   * After a mailroom source is committed: tell the UI how far its batch is. Counted in SQL: loading
   * every member row per processed file made a 500-file batch cost seconds of main-thread time.
   */
  onSourceProcessed(source: SourceRow): void {
    if (!source.batch_id) return;
    const { done, total } = this.store.batchPageCounts(source.batch_id);
    const update = this.progress.record(source.batch_id, done, total, (this.options.now ?? Date.now)());
    if (update) this.show(update);
  }

  /** Call in the batch-close transaction: splits the batch's sources (scan order) into documents. */
  split(batchId: string | null, hotFolder: string, profile: Profile, sources: SourceRow[]): string[] {
    if (batchId) this.justSplit.push(batchId);
    return createBatchDocuments({ store: this.options.store, mailroom: this.store, lookup: this.lookup, actor: this.options.actor }, batchId, hotFolder, profile, sources);
  }

  /** After closing batches (committed or not): the progress of each batch that was split ends. */
  afterClose(): void {
    for (const batchId of this.justSplit.splice(0)) {
      const batch = this.options.store.db.prepare('SELECT closed_at FROM batches WHERE id = ?').get(batchId) as { closed_at: string | null } | undefined;
      if (batch?.closed_at) this.onBatchSplit(batchId);
    }
  }

  private onBatchSplit(batchId: string): void {
    const last = this.lastProgress.get(batchId);
    this.progress.finish(batchId);
    if (last) this.show({ batchId, pagesDone: last.pagesTotal, pagesTotal: last.pagesTotal, etaSeconds: 0 });
    this.lastProgress.delete(batchId);
  }

  /** The last progress shown for a batch still being processed. */
  progressOf(batchId: string): ProgressUpdate | null {
    return this.lastProgress.get(batchId) ?? null;
  }

  /** The state a mailroom document takes when its first PDF is built (null: not a mailroom document). */
  stateAfterAssembly(documentId: string): DocumentState | null {
    return this.store.document(documentId)?.state_after_assembly ?? null;
  }

  /** Call in the assemble transaction: the first build used the state; rebuilds keep theirs. */
  assembled(documentId: string): void {
    this.store.takeStateAfterAssembly(documentId);
  }

  private show(update: ProgressUpdate): void {
    this.lastProgress.set(update.batchId, update);
    this.options.emit({ type: 'progress', ...update });
  }
}
