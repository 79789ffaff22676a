/**
 * Crash safety of sending: the station process is killed (SIGKILL, like a power cut) again and again
 * at random moments while it sends to the reference receiver, and restarted. The receiver answers
 * each upload a little late, so many kills land between "stored on the server" and "confirmed in the
 * station". At the end every document is on the server exactly once, none is missing, and the
 * station shows every one 'uploaded'.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parseConfig } from '../main/config/schema.js';
import { createStation } from '../main/station.js';
import { rng } from './fixtures/pages.js';
import { copyTemplate, firstDocuments, queueDocuments, sharedTemplate } from './support/receiver-documents.js';
import { startFaultyReceiver } from './support/receiver-faults.js';
import { startStationProcess, waitFor, writeStationConfig } from './support/station-process.js';

// Enough documents that the kills run out before the documents do: a run sends a few of them.
const COUNT = 40;
const MID_SENDING_KILLS = 10;
let template = '';
beforeAll(async () => {
  template = await sharedTemplate(COUNT);
});

describe('sending crash safety', () => {
  it(`delivers every document exactly once through SIGKILLs (at least ${MID_SENDING_KILLS} in the middle of sending)`, async () => {
    const receiverDir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-receiver-'));
    const server = await startFaultyReceiver({ dir: receiverDir, answerDelayMs: 250 });
    const dataDir = copyTemplate(template);
    const settings = {
      stationId: 'send-crash',
      sending: { targets: [{ kind: 'rest', name: 'dms', url: server.url }], defaultTarget: 'dms', concurrency: 2, timeoutMs: 3_000, backoffBaseMs: 100, probeMaxIntervalMs: 300 },
      jobLeaseMs: 1_000,
      // Nothing to clean up here: one page worker keeps each restart light.
      imaging: { workers: 1 },
    };
    // Queue the documents as the assign flow would, with the station closed.
    const setup = createStation({ dataDir, config: parseConfig(settings, 'test'), watch: false });
    const ids = queueDocuments(setup, firstDocuments(setup, COUNT));
    await setup.stop();
    writeStationConfig(dataDir, settings);

    const dbFile = path.join(dataDir, 'station.db');
    const uploaded = () => {
      const db = new Database(dbFile, { readonly: true });
      try {
        return (db.prepare(`SELECT COUNT(*) AS n FROM documents WHERE state = 'uploaded'`).get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const stored = () => server.app.store.created.size;
    const random = rng(11);
    let kills = 0;
    let midSending = 0;
    try {
      while (midSending < MID_SENDING_KILLS && kills < 25 && stored() < COUNT) {
        const before = stored();
        const station = startStationProcess(dataDir);
        if (kills % 5 === 4) {
          // Now and then during start-up: recovery itself must survive a kill.
          await new Promise((resolve) => setTimeout(resolve, random() * 1_500));
        } else {
          // Otherwise once this run has visibly sent something, a random moment later, within about one
          // answer delay, so the kill lands while the next uploads are on their way.
          await waitFor(() => stored() > before || station.child.exitCode !== null, 30_000, 'the station to send').catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, random() * 300));
        }
        station.child.kill('SIGKILL');
        await station.exited;
        kills++;
        if (stored() > before && stored() < COUNT) midSending++;
      }
      expect(midSending).toBeGreaterThanOrEqual(MID_SENDING_KILLS);

      // A last, undisturbed run finishes the work.
      const final = startStationProcess(dataDir);
      try {
        await waitFor(() => uploaded() === COUNT, 60_000, `all documents uploaded (output: ${final.output().slice(-1500)})`);
      } finally {
        final.child.kill('SIGTERM');
        await final.exited;
      }

      // Exactly once each on the server, none missing, byte-identical by checksum.
      expect(server.app.store.keys().sort()).toEqual([...ids].sort());
      for (const id of ids) expect(server.app.store.created.get(id)).toBe(1);
      const db = new Database(dbFile, { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const rows = db.prepare(`SELECT d.id, d.state, d.pdf_sha256, s.remote_id, s.remote_sha256 FROM documents d LEFT JOIN sent_documents s ON s.document_id = d.id WHERE d.id IN (${ids.map(() => '?').join(',')})`).all(...ids) as {
          id: string;
          state: string;
          pdf_sha256: string;
          remote_id: string;
          remote_sha256: string;
        }[];
        for (const row of rows) {
          expect(row.state).toBe('uploaded');
          const receipt = server.app.store.receiptFor(row.id)!;
          expect(row.remote_id).toBe(receipt.id);
          expect(row.remote_sha256).toBe(row.pdf_sha256);
          expect(receipt.sha256).toBe(row.pdf_sha256);
        }
        const open = db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE kind = 'send_document' AND state != 'done'`).get() as { n: number };
        expect(open.n).toBe(0);
      } finally {
        db.close();
      }
      const repeats = [...server.app.store.repeats.values()].reduce((a, b) => a + b, 0);
      console.log(`sending crash test: ${kills} kills, ${midSending} in the middle of sending, ${repeats} repeated uploads answered from the first receipt`);
    } finally {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(receiverDir, { recursive: true, force: true });
    }
  }, 240_000);
});
