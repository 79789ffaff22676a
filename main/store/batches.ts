/**
 * Scanner batches: single-page files that arrive within a profile's quiet window belong together.
 * A batch is durable, so a restart in the middle of a batch keeps its pages together.
 */
import type { Db } from './db.js';
import { statement } from './statements.js';
import { nowIso } from './clock.js';

export interface BatchRow {
  id: string;
  hot_folder: string;
  quiet_window_ms: number;
  opened_at: string;
  last_arrival_ms: number;
  closed_at: string | null;
}

export class BatchRepository {
  constructor(private readonly db: Db) {}

  /** The open batch a file arriving now joins, or undefined when the quiet window has passed. */
  openFor(hotFolder: string, arrivalMs: number): BatchRow | undefined {
    return statement(this.db, 
        `SELECT * FROM batches WHERE hot_folder = ? AND closed_at IS NULL AND ? - last_arrival_ms <= quiet_window_ms
         ORDER BY opened_at DESC LIMIT 1`,
      )
      .get(hotFolder, arrivalMs) as BatchRow | undefined;
  }

  open(id: string, hotFolder: string, quietWindowMs: number, arrivalMs: number): BatchRow {
    statement(this.db, 'INSERT INTO batches (id, hot_folder, quiet_window_ms, opened_at, last_arrival_ms) VALUES (?, ?, ?, ?, ?)')
      .run(id, hotFolder, quietWindowMs, nowIso(), arrivalMs);
    return statement(this.db, 'SELECT * FROM batches WHERE id = ?').get(id) as BatchRow;
  }

  touch(id: string, arrivalMs: number): void {
    statement(this.db, 'UPDATE batches SET last_arrival_ms = MAX(last_arrival_ms, ?) WHERE id = ?').run(arrivalMs, id);
  }

  /** Open batches whose quiet window has passed: candidates to close. */
  quiet(nowMs: number): BatchRow[] {
    return statement(this.db, 'SELECT * FROM batches WHERE closed_at IS NULL AND ? - last_arrival_ms >= quiet_window_ms ORDER BY opened_at')
      .all(nowMs) as BatchRow[];
  }

  close(id: string): void {
    statement(this.db, 'UPDATE batches SET closed_at = ? WHERE id = ? AND closed_at IS NULL').run(nowIso(), id);
  }

  /** Ends the quiet window of a folder's open batches now: they close once their files are processed. */
  endWindows(hotFolder: string): void {
    statement(this.db, 'UPDATE batches SET quiet_window_ms = 0, last_arrival_ms = 0 WHERE hot_folder = ? AND closed_at IS NULL').run(hotFolder);
  }

  openCount(): number {
    return (statement(this.db, 'SELECT COUNT(*) AS n FROM batches WHERE closed_at IS NULL').get() as { n: number }).n;
  }
}
