/**
 * Durable processing steps. A job is claimed with a lease; a crashed holder's lease expires and the
 * job is taken up again, so every step runs to completion at least once. Steps are idempotent.
 */
import type { Db } from './db.js';
import { statement } from './statements.js';
import { nowIso, nowMs } from './clock.js';

export type JobKind = 'process_source' | 'assemble_document';
export type JobState = 'pending' | 'running' | 'done' | 'failed';

export interface JobRow {
  id: number;
  kind: JobKind;
  subject_id: string;
  state: JobState;
  attempts: number;
  lease_owner: string | null;
  lease_expires_ms: number | null;
  run_after_ms: number;
  last_error: string | null;
}

export class JobQueue {
  constructor(private readonly db: Db) {}

  /** Adds a job, or puts a finished one back to pending (a document rebuilt after an edit). */
  enqueue(kind: JobKind, subjectId: string): void {
    const now = nowIso();
    statement(this.db, 
        `INSERT INTO jobs (kind, subject_id, state, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?)
         ON CONFLICT (kind, subject_id) DO UPDATE SET state = 'pending', attempts = 0, last_error = NULL,
           lease_owner = NULL, lease_expires_ms = NULL, run_after_ms = 0, updated_at = excluded.updated_at`,
      )
      .run(kind, subjectId, now, now);
  }

  /** Claims the oldest runnable job of the given kinds, including ones whose lease ran out. */
  claim(owner: string, leaseMs: number, kinds: JobKind[]): JobRow | undefined {
    const now = nowMs();
    const placeholders = kinds.map(() => '?').join(',');
    return this.db.transaction(() => {
      const job = statement(this.db, 
          `SELECT * FROM jobs WHERE kind IN (${placeholders}) AND
             ((state = 'pending' AND run_after_ms <= ?) OR (state = 'running' AND lease_expires_ms < ?))
           ORDER BY id LIMIT 1`,
        )
        .get(...kinds, now, now) as JobRow | undefined;
      if (!job) return undefined;
      statement(this.db, `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_expires_ms = ?, updated_at = ? WHERE id = ?`)
        .run(owner, now + leaseMs, nowIso(), job.id);
      return { ...job, state: 'running' as const, attempts: job.attempts + 1, lease_owner: owner };
    }).immediate();
  }

  renew(id: number, owner: string, leaseMs: number): boolean {
    const result = statement(this.db, `UPDATE jobs SET lease_expires_ms = ? WHERE id = ? AND lease_owner = ? AND state = 'running'`)
      .run(nowMs() + leaseMs, id, owner);
    return result.changes === 1;
  }

  /** Marks done; call inside the transaction that commits the step's result. */
  complete(id: number, owner: string): boolean {
    const result = statement(this.db, `UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires_ms = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?`)
      .run(nowIso(), id, owner);
    return result.changes === 1;
  }

  /** A failed attempt: retried later with backoff, or given up after maxAttempts. */
  fail(id: number, owner: string, error: string, maxAttempts: number, retryDelayMs: number): JobState {
    const job = statement(this.db, 'SELECT attempts FROM jobs WHERE id = ?').get(id) as { attempts: number } | undefined;
    const state: JobState = job && job.attempts >= maxAttempts ? 'failed' : 'pending';
    statement(this.db, 
        `UPDATE jobs SET state = ?, last_error = ?, lease_owner = NULL, lease_expires_ms = NULL, run_after_ms = ?, updated_at = ?
         WHERE id = ? AND lease_owner = ?`,
      )
      .run(state, error, nowMs() + retryDelayMs, nowIso(), id, owner);
    return state;
  }

  /** At start-up the previous process is gone: its running jobs go back to pending at once. */
  releaseAll(): number {
    return statement(this.db, `UPDATE jobs SET state = 'pending', lease_owner = NULL, lease_expires_ms = NULL, updated_at = ? WHERE state = 'running'`)
      .run(nowIso()).changes;
  }

  counts(): Record<JobState, number> {
    const counts: Record<JobState, number> = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const row of statement(this.db, 'SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all() as { state: JobState; n: number }[]) {
      counts[row.state] = row.n;
    }
    return counts;
  }

  hasOpenWork(): boolean {
    return !!statement(this.db, `SELECT 1 FROM jobs WHERE state IN ('pending','running') LIMIT 1`).get();
  }
}
