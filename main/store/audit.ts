/**
 * The append-only audit trail: who did what to which subject, when, from which station.
 * Details never hold a customer's name or a document's content, only ids and states.
 */
import type { Db } from './db.js';
import { statement } from './statements.js';
import { nowIso } from './clock.js';

export interface AuditEntry {
  actor: string;
  action: string;
  subjectType: 'source' | 'document' | 'page' | 'batch' | 'station';
  subjectId: string;
  fromState?: string | null;
  toState?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditRow {
  id: number;
  at: string;
  station_id: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  from_state: string | null;
  to_state: string | null;
  detail: string | null;
}

export class AuditLog {
  private readonly insert;
  constructor(private readonly db: Db, private readonly stationId: string) {
    this.insert = db.prepare(
      `INSERT INTO audit (at, station_id, actor, action, subject_type, subject_id, from_state, to_state, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  record(entry: AuditEntry): void {
    this.insert.run(
      nowIso(),
      this.stationId,
      entry.actor,
      entry.action,
      entry.subjectType,
      entry.subjectId,
      entry.fromState ?? null,
      entry.toState ?? null,
      entry.detail ? JSON.stringify(entry.detail) : null,
    );
  }

  forSubject(subjectType: string, subjectId: string): AuditRow[] {
    return statement(this.db, 'SELECT * FROM audit WHERE subject_type = ? AND subject_id = ? ORDER BY id')
      .all(subjectType, subjectId) as AuditRow[];
  }
}
