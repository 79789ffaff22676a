/**
 * The bridge from the station's own events to the few events the UI understands (StationEvent).
 * Events say what changed, not the data: the UI asks again with an operation. Bursts (a 200-page
 * batch) are coalesced into one documents-changed and one progress event per tick, so the window
 * re-reads once per tick instead of once per page.
 */
import type { Station } from '../station.js';
import type { StationEvent } from '../../preload/contract/events.js';
import type { DocumentStateName } from '../../preload/contract/station.js';
import { statement } from '../store/statements.js';

export type UiListener = (event: StationEvent) => void;

export interface UiEventOptions {
  /** Changes within this many ms go out as one event (default 100). 0 sends at once. */
  coalesceMs?: number;
  now?: () => number;
}

/**
 * Pages done and total of the open work, with an ETA from a moving rate. Open work begins with
 * the first file taken while idle and ends when no taken file waits for processing. A file whose
 * pages are not known yet counts as one page (most scanner files are single pages).
 */
export class ProgressTracker {
  private windowOpen = false;
  private pagesDone = 0;
  private lastAt = 0;
  /** Pages per second, exponentially smoothed. */
  private rate: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** A file was taken; `pending` is the number of files waiting for processing now. */
  taken(pending: number): Extract<StationEvent, { type: 'progress' }> {
    if (!this.windowOpen) {
      this.windowOpen = true;
      this.pagesDone = 0;
      this.rate = null;
      this.lastAt = this.now();
    }
    return this.snapshot(pending);
  }

  /** A file finished processing (`pages` pages) or left the work (0 pages: quarantined). */
  finished(pages: number, pending: number): Extract<StationEvent, { type: 'progress' }> | null {
    if (!this.windowOpen) return null;
    const now = this.now();
    if (pages > 0) {
      const seconds = Math.max((now - this.lastAt) / 1000, 0.001);
      const instant = pages / seconds;
      this.rate = this.rate === null ? instant : 0.3 * instant + 0.7 * this.rate;
      this.lastAt = now;
      this.pagesDone += pages;
    }
    const event = this.snapshot(pending);
    if (pending === 0) this.windowOpen = false;
    return event;
  }

  private snapshot(pending: number): Extract<StationEvent, { type: 'progress' }> {
    const etaSeconds = pending === 0 ? 0 : this.rate && this.rate > 0 ? Math.ceil(pending / this.rate) : null;
    return { type: 'progress', batchId: null, pagesDone: this.pagesDone, pagesTotal: this.pagesDone + pending, etaSeconds };
  }
}

function pendingSources(station: Station): number {
  return (statement(station.store.db, `SELECT COUNT(*) AS n FROM source_files WHERE state = 'ingested'`).get() as { n: number }).n;
}

/** Subscribes `listener` to the UI events of `station`; returns the unsubscribe function. */
export function subscribeUiEvents(station: Station, listener: UiListener, options: UiEventOptions = {}): () => void {
  const coalesceMs = options.coalesceMs ?? 100;
  const progress = new ProgressTracker(options.now);
  const changedIds = new Set<string>();
  const changedStates = new Set<DocumentStateName>();
  let documentsChanged = false;
  let quarantineChanged = false;
  let latestProgress: StationEvent | null = null;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const deliver = (event: StationEvent) => {
    if (closed) return;
    try {
      listener(event);
    } catch (error) {
      // A broken listener (a closed socket) must never break the station's own emit.
      station.emit('problem', { message: `A UI event listener failed: ${(error as Error).message}` });
    }
  };

  const flush = () => {
    timer = undefined;
    if (documentsChanged) {
      const event: StationEvent = { type: 'documents-changed', ids: [...changedIds] };
      if (changedStates.size > 0) event.states = [...changedStates];
      documentsChanged = false;
      changedIds.clear();
      changedStates.clear();
      deliver(event);
    }
    if (quarantineChanged) {
      quarantineChanged = false;
      deliver({ type: 'quarantine-changed' });
    }
    if (latestProgress) {
      const event = latestProgress;
      latestProgress = null;
      deliver(event);
    }
  };
  const schedule = () => {
    if (coalesceMs <= 0) flush();
    else timer ??= setTimeout(flush, coalesceMs);
  };
  const documents = (id: string | null, state?: DocumentStateName) => {
    documentsChanged = true;
    if (id) changedIds.add(id);
    if (state) changedStates.add(state);
  };
  const safePending = () => {
    try {
      return pendingSources(station);
    } catch {
      return 0; // The store is closing.
    }
  };

  const onIngested = () => {
    latestProgress = progress.taken(safePending());
    documents(null);
    schedule();
  };
  const onProcessed = (event: { sourceId: string; pages: number }) => {
    let documentId: string | null = null;
    try {
      documentId = station.store.sources.get(event.sourceId)?.document_id ?? null;
    } catch {
      // The store is closing; the UI re-reads on the next event anyway.
    }
    latestProgress = progress.finished(event.pages, safePending()) ?? latestProgress;
    documents(documentId);
    schedule();
  };
  const onDocument = (event: { documentId: string; state: DocumentStateName }) => {
    documents(event.documentId, event.state);
    schedule();
  };
  const onQuarantined = () => {
    quarantineChanged = true;
    latestProgress = progress.finished(0, safePending()) ?? latestProgress;
    schedule();
  };
  const onUi = (event: StationEvent) => {
    // Other areas say exactly what changed; they go out as they are, in order with ours.
    if (timer) {
      clearTimeout(timer);
      flush();
    }
    deliver(event);
  };

  station.on('ingested', onIngested);
  station.on('processed', onProcessed);
  station.on('document', onDocument);
  station.on('quarantined', onQuarantined);
  station.on('ui', onUi);
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    station.off('ingested', onIngested);
    station.off('processed', onProcessed);
    station.off('document', onDocument);
    station.off('quarantined', onQuarantined);
    station.off('ui', onUi);
  };
}
