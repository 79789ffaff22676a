import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openDatabase, schemaVersion } from '../main/store/db.js';
import { migrations } from '../main/store/migrations.js';
import { StationStore } from '../main/store/station-store.js';
import { acquireLock, DataDirLockedError } from '../main/store/lock.js';

const tempFile = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'intake-store-')), name);

describe('database', () => {
  it('opens in WAL mode with foreign keys, migrated to the newest version; durable commits sync fully', () => {
    const db = openDatabase(tempFile('station.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    const store = new StationStore(db, 'test-station');
    const seen = store.durableTransaction(() => db.pragma('synchronous', { simple: true }));
    expect(seen).toBe(2);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(schemaVersion(db)).toBe(Math.max(...migrations.map((m) => m.version)));
    // Running the migrations again changes nothing.
    expect(migrate(db, migrations)).toBe(schemaVersion(db));
    db.close();
  });

  it('refuses a database from a newer program instead of guessing', () => {
    const file = tempFile('station.db');
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => openDatabase(file)).toThrow(/schema version 99, newer than this program knows/);
  });

  it('keeps the audit trail append-only', () => {
    const store = StationStore.open(tempFile('station.db'), 'test-station');
    store.audit.record({ actor: 'tester', action: 'ingest', subjectType: 'source', subjectId: 's1', toState: 'ingested' });
    expect(() => store.db.prepare(`UPDATE audit SET actor = 'someone else'`).run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(store.audit.forSubject('source', 's1')).toHaveLength(1);
    store.close();
  });
});

describe('job queue', () => {
  it('claims each job once, and takes it up again when the lease runs out', async () => {
    const store = StationStore.open(tempFile('station.db'), 'test-station');
    store.jobs.enqueue('process_source', 'a');
    store.jobs.enqueue('process_source', 'b');
    const first = store.jobs.claim('owner-1', 200, ['process_source']);
    const second = store.jobs.claim('owner-1', 200, ['process_source']);
    expect([first?.subject_id, second?.subject_id]).toEqual(['a', 'b']);
    expect(store.jobs.claim('owner-2', 200, ['process_source'])).toBeUndefined();
    // owner-1 "crashes": after the lease, owner-2 gets the job, and owner-1 can no longer complete it.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const retaken = store.jobs.claim('owner-2', 10_000, ['process_source']);
    expect(retaken?.subject_id).toBe('a');
    expect(retaken?.attempts).toBe(2);
    expect(store.jobs.complete(first!.id, 'owner-1')).toBe(false);
    expect(store.jobs.complete(retaken!.id, 'owner-2')).toBe(true);
    store.close();
  });

  it('retries a failed step later and gives up after the last attempt', () => {
    const store = StationStore.open(tempFile('station.db'), 'test-station');
    store.jobs.enqueue('assemble_document', 'd');
    const job = store.jobs.claim('o', 10_000, ['assemble_document'])!;
    expect(store.jobs.fail(job.id, 'o', 'disk full', 2, 60_000)).toBe('pending');
    // Backoff: not runnable yet.
    expect(store.jobs.claim('o', 10_000, ['assemble_document'])).toBeUndefined();
    store.db.prepare('UPDATE jobs SET run_after_ms = 0').run();
    const again = store.jobs.claim('o', 10_000, ['assemble_document'])!;
    expect(store.jobs.fail(again.id, 'o', 'disk full', 2, 0)).toBe('failed');
    expect(store.jobs.counts().failed).toBe(1);
    store.close();
  });

  it('puts every running job back to pending on start-up', () => {
    const store = StationStore.open(tempFile('station.db'), 'test-station');
    store.jobs.enqueue('process_source', 'x');
    store.jobs.claim('dead-process', 3_600_000, ['process_source']);
    expect(store.jobs.releaseAll()).toBe(1);
    expect(store.jobs.claim('new-process', 1000, ['process_source'])?.subject_id).toBe('x');
    store.close();
  });
});

describe('data folder lock', () => {
  it('lets one station use a data folder, and takes over a lock whose owner died', () => {
    const file = tempFile('station.lock');
    const release = acquireLock(file);
    fs.writeFileSync(file, String(process.ppid)); // a live process that is not us
    expect(() => acquireLock(file)).toThrow(DataDirLockedError);
    fs.writeFileSync(file, '999999999'); // no such process
    const again = acquireLock(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(String(process.pid));
    again();
    expect(fs.existsSync(file)).toBe(false);
    release();
  });

  it.skipIf(process.platform !== 'linux')('takes over a lock whose owner ended but was never reaped (a zombie)', async () => {
    // sh starts `sleep 0` and becomes `sleep 5`, which never reaps it: a zombie for five seconds.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = Number((await new Promise<string>((resolve) => parent.stdout!.once('data', (chunk) => resolve(String(chunk))))).trim());
    try {
      const state = () => {
        const stat = fs.readFileSync(`/proc/${zombie}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      };
      const deadline = Date.now() + 4000;
      while (state() !== 'Z' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(state()).toBe('Z');
      const file = tempFile('station.lock');
      fs.writeFileSync(file, String(zombie));
      const release = acquireLock(file);
      expect(fs.readFileSync(file, 'utf8')).toBe(String(process.pid));
      release();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
