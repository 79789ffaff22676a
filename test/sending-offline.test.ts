/**
 * Offline: the receiving server is down while 20 documents are queued. The station notices, stops
 * counting attempts and only probes, quietly; when the server comes up, every document is delivered
 * without anyone doing anything, in queue order, exactly once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../main/config/schema.js';
import { createStation } from '../main/station.js';
import type { StationEvent } from '../preload/contract/events.js';
import { sharedTemplate, copyTemplate, firstDocuments, queueDocuments } from './support/receiver-documents.js';
import { startFaultyReceiver } from './support/receiver-faults.js';
import { waitFor } from './support/station-process.js';

const COUNT = 20;
let template = '';
beforeAll(async () => {
  template = await sharedTemplate();
});

describe('sending while offline', () => {
  it(`delivers ${COUNT} queued documents in queue order once the server comes up, without counting attempts while it was down`, async () => {
    // A port that nothing listens on (yet).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-receiver-'));
    const probe = await startFaultyReceiver({ dir });
    const port = probe.port;
    await probe.close();

    const dataDir = copyTemplate(template);
    const config = parseConfig(
      {
        stationId: 'send-test',
        sending: { targets: [{ kind: 'rest', name: 'dms', url: `http://127.0.0.1:${port}` }], defaultTarget: 'dms', timeoutMs: 2_000, backoffBaseMs: 100, probeMaxIntervalMs: 400, maxAttempts: 2 },
      },
      'test',
    );
    const station = createStation({ dataDir, config, watch: false });
    const events: StationEvent[] = [];
    const problems: string[] = [];
    station.on('ui', (event) => events.push(event));
    station.on('problem', (p) => problems.push(p.message));
    const ids = queueDocuments(station, firstDocuments(station, COUNT));
    expect(ids).toHaveLength(COUNT);
    await station.start();
    let server: Awaited<ReturnType<typeof startFaultyReceiver>> | undefined;
    try {
      await waitFor(() => !station.sending.status().online, 10_000, 'the station to notice it is offline');
      // A while offline: several probe rounds (maxAttempts is only 2, so counted attempts would show at once).
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const offline = station.sending.status();
      expect(offline).toMatchObject({ online: false, paused: false, active: 0, waiting: COUNT, needsAttention: 0 });
      expect(offline.offlineTargets).toMatchObject([{ name: 'dms', code: 'connection_refused' }]);
      expect(offline.probes).toBeGreaterThanOrEqual(2);
      expect(events).toContainEqual({ type: 'sending', online: false, paused: false, active: 0, waiting: COUNT });
      // Only the first send found the server down; everything since has been a probe, and nothing counted.
      const attempts = ids.flatMap((id) => station.sending.deliveries(id));
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ outcome: 'offline', counted: 0, code: 'connection_refused' });
      for (const id of ids) expect(station.sending.sender.rows.jobFor(id)!.attempts).toBe(0);
      expect(ids.map((id) => station.store.documents.get(id)!.state).filter((s) => s !== 'queued' && s !== 'uploading')).toEqual([]);
      // Quiet: one line when it went offline, no nagging per probe.
      expect(problems.filter((p) => /offline/.test(p))).toHaveLength(1);

      server = await startFaultyReceiver({ dir, port });
      await waitFor(() => ids.every((id) => station.store.documents.get(id)!.state === 'uploaded'), 30_000, 'all documents delivered');
      expect(station.sending.status()).toMatchObject({ online: true, waiting: 0, active: 0 });
      // Exactly once each, in the order they were queued.
      expect([...server.app.store.created.keys()]).toEqual(ids);
      for (const id of ids) expect(server.app.store.created.get(id)).toBe(1);
      const all = ids.flatMap((id) => station.sending.deliveries(id));
      expect(all.filter((a) => a.counted === 1 && a.outcome !== 'delivered')).toEqual([]);
      expect(all.filter((a) => a.outcome === 'delivered')).toHaveLength(COUNT);
    } finally {
      await station.stop();
      await server?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
