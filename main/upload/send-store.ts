/**
 * The sending queue's rows: durable 'send_document' jobs in the station's jobs table (leased like the
 * other steps, so a crash leaves nothing stuck), the attempt history (deliveries), the receipts of
 * confirmed deliveries (sent_documents, which retention relies on) and the persisted pause switch.
 */
import type { Db } from '../store/db.js';
import { statement } from '../store/statements.js';
import { nowIso } from '../store/clock.js';

export const SEND_JOB = 'send_document';

export interface SendJob {
  id: number;
  subject_id: string;
  state: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  run_after_ms: number;
  last_error: string | null;
}

export type DeliveryOutcome = 'running' | 'delivered' | 'retry' | 'offline' | 'failed' | 'interrupted';

export interface DeliveryRow {
  id: number;
  document_id: string;
  target: string;
  started_at: string;
  finished_at: string | null;
  outcome: DeliveryOutcome;
  counted: number;
  http_status: number | null;
  code: string | null;
  message: string | null;
  remote_id: string | null;
}

export interface SentRow {
  document_id: string;
  target: string;
  remote_id: string;
  remote_sha256: string;
  receipt: string;
  delivered_at: string;
  delivered_at_ms: number;
  purged_at: string | null;
}

export class SendStore {
  constructor(private readonly db: Db) {}

  /**
   * Gives every document waiting to be sent ('queued', or 'uploading' after a crash) an open job, in
   * the order the documents were queued. A finished or failed job of a re-queued document starts afresh.
   */
  enqueueWaiting(): number {
    const now = nowIso();
    return statement(
      this.db,
      `INSERT INTO jobs (kind, subject_id, state, created_at, updated_at)
       SELECT '${SEND_JOB}', d.id, 'pending', ?, ? FROM documents d
       WHERE d.state IN ('queued','uploading') AND NOT EXISTS (
         SELECT 1 FROM jobs j WHERE j.kind = '${SEND_JOB}' AND j.subject_id = d.id AND j.state IN ('pending','running'))
       ORDER BY d.updated_at, d.id
       ON CONFLICT (kind, subject_id) DO UPDATE SET state = 'pending', attempts = 0, last_error = NULL,
         lease_owner = NULL, lease_expires_ms = NULL, run_after_ms = 0, updated_at = excluded.updated_at`,
    ).run(now, now).changes;
  }

  /** Runnable jobs (pending and due, or running with an expired lease), oldest first. */
  runnable(nowMs: number, limit: number): SendJob[] {
    return statement(
      this.db,
      `SELECT id, subject_id, state, attempts, run_after_ms, last_error FROM jobs WHERE kind = '${SEND_JOB}' AND
         ((state = 'pending' AND run_after_ms <= ?) OR (state = 'running' AND lease_expires_ms < ?))
       ORDER BY id LIMIT ?`,
    ).all(nowMs, nowMs, limit) as SendJob[];
  }

  /** Takes a job with a lease; false when someone else was quicker. Attempts are counted on failure only. */
  take(jobId: number, owner: string, leaseMs: number, nowMs: number): boolean {
    return (
      statement(
        this.db,
        `UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires_ms = ?, updated_at = ? WHERE id = ? AND
           ((state = 'pending' AND run_after_ms <= ?) OR (state = 'running' AND lease_expires_ms < ?))`,
      ).run(owner, nowMs + leaseMs, nowIso(), jobId, nowMs, nowMs).changes === 1
    );
  }

  renew(jobId: number, owner: string, leaseMs: number, nowMs: number): boolean {
    return statement(this.db, `UPDATE jobs SET lease_expires_ms = ? WHERE id = ? AND lease_owner = ? AND state = 'running'`).run(nowMs + leaseMs, jobId, owner).changes === 1;
  }

  /** Call inside the transaction that records the delivery; false if the lease was lost. */
  complete(jobId: number, owner: string): boolean {
    return statement(this.db, `UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires_ms = NULL, last_error = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?`).run(nowIso(), jobId, owner).changes === 1;
  }

  /** Back to pending after `delayMs`; `count` adds the attempt (never while the target is offline). Returns the attempts so far. */
  later(jobId: number, owner: string, count: boolean, runAfterMs: number, error: string): number {
    statement(
      this.db,
      `UPDATE jobs SET state = 'pending', attempts = attempts + ?, last_error = ?, lease_owner = NULL, lease_expires_ms = NULL, run_after_ms = ?, updated_at = ?
       WHERE id = ? AND lease_owner = ?`,
    ).run(count ? 1 : 0, error, runAfterMs, nowIso(), jobId, owner);
    return this.attempts(jobId);
  }

  fail(jobId: number, owner: string, error: string): void {
    statement(this.db, `UPDATE jobs SET state = 'failed', attempts = attempts + 1, last_error = ?, lease_owner = NULL, lease_expires_ms = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?`).run(error, nowIso(), jobId, owner);
  }

  attempts(jobId: number): number {
    return (statement(this.db, 'SELECT attempts FROM jobs WHERE id = ?').get(jobId) as { attempts: number } | undefined)?.attempts ?? 0;
  }

  jobFor(documentId: string): SendJob | undefined {
    return statement(this.db, `SELECT id, subject_id, state, attempts, run_after_ms, last_error FROM jobs WHERE kind = '${SEND_JOB}' AND subject_id = ?`).get(documentId) as SendJob | undefined;
  }

  /** Manual retry: a fresh start with no attempts counted, due now. */
  restart(documentId: string): void {
    statement(this.db, `UPDATE jobs SET state = 'pending', attempts = 0, last_error = NULL, run_after_ms = 0, updated_at = ? WHERE kind = '${SEND_JOB}' AND subject_id = ? AND state != 'running'`).run(nowIso(), documentId);
  }

  nextDueMs(): number | null {
    return (statement(this.db, `SELECT MIN(run_after_ms) AS due FROM jobs WHERE kind = '${SEND_JOB}' AND state = 'pending'`).get() as { due: number | null }).due;
  }

  /** Documents stopped by a sending failure ('error' with a failed send job). */
  needsAttention(): number {
    return (
      statement(this.db, `SELECT COUNT(*) AS n FROM documents d JOIN jobs j ON j.subject_id = d.id AND j.kind = '${SEND_JOB}' AND j.state = 'failed' WHERE d.state = 'error'`).get() as {
        n: number;
      }
    ).n;
  }

  startAttempt(documentId: string, target: string): number {
    return Number(statement(this.db, `INSERT INTO deliveries (document_id, target, started_at, outcome, counted) VALUES (?, ?, ?, 'running', 0)`).run(documentId, target, nowIso()).lastInsertRowid);
  }

  finishAttempt(id: number, outcome: DeliveryOutcome, counted: boolean, detail: { httpStatus?: number | null; code?: string | null; message?: string | null; remoteId?: string | null } = {}): void {
    statement(this.db, `UPDATE deliveries SET finished_at = ?, outcome = ?, counted = ?, http_status = ?, code = ?, message = ?, remote_id = ? WHERE id = ?`).run(
      nowIso(),
      outcome,
      counted ? 1 : 0,
      detail.httpStatus ?? null,
      detail.code ?? null,
      detail.message ?? null,
      detail.remoteId ?? null,
      id,
    );
  }

  /** At start-up: attempts a crash cut short are marked as such (their job runs again). */
  interruptRunning(): number {
    return statement(this.db, `UPDATE deliveries SET outcome = 'interrupted', counted = 0, finished_at = ? WHERE outcome = 'running'`).run(nowIso()).changes;
  }

  deliveries(documentId: string): DeliveryRow[] {
    return statement(this.db, 'SELECT * FROM deliveries WHERE document_id = ? ORDER BY id').all(documentId) as DeliveryRow[];
  }

  lastDelivery(documentId: string): DeliveryRow | undefined {
    return statement(this.db, 'SELECT * FROM deliveries WHERE document_id = ? ORDER BY id DESC LIMIT 1').get(documentId) as DeliveryRow | undefined;
  }

  recordSent(row: Omit<SentRow, 'purged_at'>): void {
    statement(
      this.db,
      `INSERT INTO sent_documents (document_id, target, remote_id, remote_sha256, receipt, delivered_at, delivered_at_ms)
       VALUES (@document_id, @target, @remote_id, @remote_sha256, @receipt, @delivered_at, @delivered_at_ms)
       ON CONFLICT (document_id) DO UPDATE SET target = excluded.target, remote_id = excluded.remote_id, remote_sha256 = excluded.remote_sha256,
         receipt = excluded.receipt, delivered_at = excluded.delivered_at, delivered_at_ms = excluded.delivered_at_ms, purged_at = NULL`,
    ).run(row);
  }

  sent(documentId: string): SentRow | undefined {
    return statement(this.db, 'SELECT * FROM sent_documents WHERE document_id = ?').get(documentId) as SentRow | undefined;
  }

  /**
   * Confirmed deliveries older than the cutoff and not yet purged: the document is 'uploaded' and the
   * target's checksum equals the local PDF's.
   */
  dueForPurge(cutoffMs: number): SentRow[] {
    return statement(
      this.db,
      `SELECT s.* FROM sent_documents s JOIN documents d ON d.id = s.document_id
       WHERE s.purged_at IS NULL AND s.delivered_at_ms <= ? AND d.state = 'uploaded' AND d.pdf_sha256 = s.remote_sha256
       ORDER BY s.delivered_at_ms`,
    ).all(cutoffMs) as SentRow[];
  }

  markPurged(documentId: string): void {
    statement(this.db, 'UPDATE sent_documents SET purged_at = ? WHERE document_id = ?').run(nowIso(), documentId);
  }

  setting(key: string): string | undefined {
    return (statement(this.db, 'SELECT value FROM sending_settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setSetting(key: string, value: string): void {
    statement(this.db, 'INSERT INTO sending_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
