/**
 * The station's database with one repository per table, opened once and shared by the services.
 */
import crypto from 'node:crypto';
import { openDatabase, integrityCheck, type Db } from './db.js';
import { AuditLog } from './audit.js';
import { BatchRepository } from './batches.js';
import { DocumentRepository } from './documents.js';
import { JobQueue } from './jobs.js';
import { PageRepository } from './pages.js';
import { SourceRepository } from './sources.js';

export class StationStore {
  readonly audit: AuditLog;
  readonly batches: BatchRepository;
  readonly documents: DocumentRepository;
  readonly jobs: JobQueue;
  readonly pages: PageRepository;
  readonly sources: SourceRepository;

  constructor(readonly db: Db, stationId: string) {
    this.audit = new AuditLog(db, stationId);
    this.batches = new BatchRepository(db);
    this.documents = new DocumentRepository(db);
    this.jobs = new JobQueue(db);
    this.pages = new PageRepository(db);
    this.sources = new SourceRepository(db);
  }

  static open(file: string, stationId: string): StationStore {
    return new StationStore(openDatabase(file), stationId);
  }

  /** Runs `work` in one immediate (write-locking) transaction. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /**
   * A transaction that is on disk before it returns (synchronous=FULL for this commit), for commits
   * followed by something irreversible outside the database, such as deleting the scanner's file.
   */
  durableTransaction<T>(work: () => T): T {
    this.db.pragma('synchronous = FULL');
    try {
      return this.transaction(work);
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /** The batch a single-page file arriving now belongs to: the open one within its quiet window, or a new one. */
  joinBatch(hotFolder: string, quietWindowMs: number, arrivalMs: number): string {
    const open = this.batches.openFor(hotFolder, arrivalMs);
    if (open) {
      this.batches.touch(open.id, arrivalMs);
      return open.id;
    }
    return this.batches.open(crypto.randomUUID(), hotFolder, quietWindowMs, arrivalMs).id;
  }

  integrityCheck(): string {
    return integrityCheck(this.db);
  }

  close(): void {
    this.db.close();
  }
}
