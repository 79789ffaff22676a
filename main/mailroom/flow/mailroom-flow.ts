/**
 * The mailroom flow as the station uses it: marks are read for every page of a mailroom source
 * while it is processed (in the page worker pool, committed with the pages), progress is reported
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

/** The page worker task the codes reader serves (main/mailroom/README.md). */
export interface DetectMarksTask {
  type: 'detect_page_marks';
  task: { imagePath: string; dpi?: number; rules?: unknown[] };
}

export interface PageToRead {
  pageId: string;
  /** Absolute path of the cleaned page image. */
  imagePath: string;
  dpi: number;
  blank: boolean;
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
  /** Runs a task in the station's page worker pool. */
  runTask(task: DetectMarksTask): Promise<unknown>;
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
   * Reads the marks of a source's cleaned pages, in parallel in the worker pool. Blank pages are
   * not read: a page with less ink than a short word holds no separator, cover sheet or barcode.
   * A page that cannot be read gets null marks (its document is flagged), never a failed source.
   */
  async readMarks(pages: PageToRead[]): Promise<ReadMarks[]> {
    const rules = this.options.barcodeRules();
    return Promise.all(
      pages.map(async (page): Promise<ReadMarks> => {
        if (page.blank) return { pageId: page.pageId, marks: emptyMarks(), error: null, ms: 0 };
        const started = performance.now();
        try {
          const answer = (await this.options.runTask({ type: 'detect_page_marks', task: { imagePath: page.imagePath, dpi: page.dpi, ...(rules ? { rules } : {}) } })) as {
            result: MarksLike & { ms?: number };
          };
          return { pageId: page.pageId, marks: answer.result, error: null, ms: answer.result.ms ?? performance.now() - started };
        } catch (error) {
          return { pageId: page.pageId, marks: null, error: (error as Error).message.slice(0, 300), ms: performance.now() - started };
        }
      }),
    );
  }

  /** Call in the transaction that stores the pages. */
  saveMarks(read: ReadMarks[]): void {
    for (const page of read) this.store.saveMarks(page.pageId, page.marks, page.error, page.ms);
  }

  /** After a mailroom source is committed: tell the UI how far its batch is. */
  onSourceProcessed(source: SourceRow): void {
    if (!source.batch_id) return;
    const members = this.options.store.sources.inBatch(source.batch_id);
    let done = 0;
    let total = 0;
    for (const member of members) {
      if (member.state === 'processed') {
        done += member.page_count ?? 0;
        total += member.page_count ?? 0;
      } else if (member.state === 'ingested') {
        total += 1; // a scanner's single-page file, until it is processed
      }
    }
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
