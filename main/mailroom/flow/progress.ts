/**
 * Progress of a batch being processed: pages done against pages known, and an estimate of the time
 * left from a moving average of the recent rate (pages arrive in bursts; the average smooths them).
 * Pure bookkeeping: the station emits what `record` returns, at most a few times a second.
 */
export interface ProgressUpdate {
  batchId: string;
  pagesDone: number;
  pagesTotal: number;
  etaSeconds: number | null;
}

interface BatchProgress {
  /** (time, pagesDone) of recent completions, oldest first. */
  samples: { atMs: number; done: number }[];
  lastEmitMs: number;
}

/** Recent completions that make the moving average: enough to smooth, few enough to follow a change of pace. */
const WINDOW = 20;
const MIN_EMIT_INTERVAL_MS = 200;

export class ProgressTracker {
  private readonly batches = new Map<string, BatchProgress>();

  /**
   * Records that a batch has `pagesDone` of `pagesTotal` pages processed at `nowMs`. Returns the
   * update to show, or null when one was shown very recently (the last page always shows).
   */
  record(batchId: string, pagesDone: number, pagesTotal: number, nowMs: number): ProgressUpdate | null {
    let state = this.batches.get(batchId);
    if (!state) {
      state = { samples: [], lastEmitMs: -Infinity };
      this.batches.set(batchId, state);
    }
    state.samples.push({ atMs: nowMs, done: pagesDone });
    if (state.samples.length > WINDOW) state.samples.shift();
    const finished = pagesDone >= pagesTotal;
    if (!finished && nowMs - state.lastEmitMs < MIN_EMIT_INTERVAL_MS) return null;
    state.lastEmitMs = nowMs;
    return { batchId, pagesDone, pagesTotal: Math.max(pagesTotal, pagesDone), etaSeconds: finished ? 0 : this.eta(state, pagesTotal - pagesDone) };
  }

  /** The batch is split: forget it. */
  finish(batchId: string): void {
    this.batches.delete(batchId);
  }

  private eta(state: BatchProgress, remaining: number): number | null {
    const first = state.samples[0];
    const last = state.samples[state.samples.length - 1];
    const pages = last.done - first.done;
    const seconds = (last.atMs - first.atMs) / 1000;
    if (pages <= 0 || seconds <= 0) return null;
    return Math.ceil(remaining / (pages / seconds));
  }
}
