/**
 * Documents for the sending tests, made by the real station: generated pages dropped in, processed
 * into PDFs once per test file (a template data folder), then copied for each scenario and queued.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../main/config/schema.js';
import { createStation, type Station } from '../../main/station.js';
import { renderPageFile } from '../fixtures/pages.js';
import { waitFor } from './station-process.js';


export const TEST_STAFF = 'test.user';

/** A data folder holding `count` finished single-page documents ('needs_review'), built by the station. */
export async function buildTemplate(count: number, prefix = 'intake-send-template-'): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const hot = path.join(root, 'hot');
  fs.mkdirSync(hot);
  const config = parseConfig(
    { stationId: 'send-test', hotFolders: [{ path: hot, profile: { colourMode: 'grey', grouping: { rule: 'per_file' } } }], imaging: { workers: 2 } },
    'test',
  );
  const dataDir = path.join(root, 'template');
  const station = createStation({ dataDir, config, watch: false, incompleteGraceMs: 0 });
  await station.start();
  try {
    const target = { hotFolder: path.resolve(hot), profile: config.hotFolders[0]!.profile, afterIngest: 'keep' as const };
    for (let i = 0; i < count; i++) {
      const file = path.join(hot, `scan_${String(i + 1).padStart(3, '0')}.jpg`);
      fs.writeFileSync(file, await renderPageFile({ dpi: 72, seed: 900 + i, pageNumber: i + 1, kind: 'sparse' }, 'jpeg'));
      const stat = fs.statSync(file);
      await station.ingest(target, { path: file, size: stat.size, mtimeMs: stat.mtimeMs });
    }
    await waitFor(() => station.store.documents.list('needs_review').length === count, 60_000, `${count} documents`);
    await station.whenIdle();
  } finally {
    await station.stop();
  }
  return dataDir;
}

/**
 * One template per test run (keyed by the vitest process), shared by the sending test files: the
 * first file builds it under a lock folder, the others wait for its "ready" mark.
 */
export async function sharedTemplate(count = 30): Promise<string> {
  const base = path.join(os.tmpdir(), `intake-send-template-${process.ppid}-${count}`);
  const lock = `${base}.lock`;
  removeTemplatesOfEndedRuns();
  for (;;) {
    if (fs.existsSync(path.join(base, 'ready'))) return path.join(base, 'template');
    try {
      fs.mkdirSync(lock);
    } catch {
      // A builder that died leaves its lock: taken over after two minutes.
      const since = fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      const built = await buildTemplate(count);
      fs.rmSync(base, { recursive: true, force: true });
      fs.renameSync(path.dirname(built), base);
      fs.writeFileSync(path.join(base, 'ready'), '');
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** Templates whose test run (the vitest process named in the folder) has ended. */
function removeTemplatesOfEndedRuns(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const match = /^intake-send-template-(\d+)-\d+(\.lock)?$/.exec(name);
    if (!match) continue;
    try {
      process.kill(Number(match[1]), 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/** A fresh copy of the template for one scenario. */
export function copyTemplate(template: string): string {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-send-'));
  fs.cpSync(template, dataDir, { recursive: true });
  fs.rmSync(path.join(dataDir, 'station.lock'), { force: true });
  return dataDir;
}

/**
 * Queues documents as the assign flow does (state 'queued' with an audit entry by a staff user),
 * one transaction each so the queue order is well defined. Returns the ids in queue order.
 */
export function queueDocuments(station: Station, ids?: string[]): string[] {
  const chosen = ids ?? station.store.documents.list('needs_review').map((d) => d.id).sort();
  for (const id of chosen) {
    station.store.transaction(() => {
      const from = station.store.documents.get(id)!.state;
      station.store.documents.setState(id, 'queued');
      station.store.audit.record({ actor: TEST_STAFF, action: 'queue', subjectType: 'document', subjectId: id, fromState: from, toState: 'queued' });
    });
  }
  return chosen;
}

/** The first `count` documents waiting for review (sorted by id): a scenario's share of the template. */
export function firstDocuments(station: Station, count: number): string[] {
  return station.store.documents.list('needs_review').map((d) => d.id).sort().slice(0, count);
}

/** Ids of all documents in the store (any state), sorted. */
export function documentIds(station: Station): string[] {
  return station.store.documents.list().map((d) => d.id).sort();
}
