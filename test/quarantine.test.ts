/**
 * Quarantine through the API (dispatch), on a real station in a temp folder: real files, a real
 * SQLite file, the real page workers. Bad files are made by the fixture generators.
 */
import { afterEach, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';
import { dispatch } from '../main/api/dispatch.js';
import type { QuarantineItemView } from '../preload/contract/quarantine.js';
import { renderPageFile } from './fixtures/pages.js';
import { textFile, randomBytes } from './fixtures/bad-files.js';

const running: Station[] = [];
afterEach(async () => {
  for (const station of running.splice(0)) await station.stop().catch(() => undefined);
});

function setUp() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-quarantine-'));
  const hot = path.join(root, 'hot');
  fs.mkdirSync(hot);
  const config = parseConfig(
    { stationId: 'test-station', hotFolders: [{ path: hot, profile: { grouping: { rule: 'per_file' } } }], imaging: { workers: 1 } },
    'test',
  );
  const station = createStation({ dataDir: path.join(root, 'data'), config, watch: false, incompleteGraceMs: 0 });
  running.push(station);
  const call = async (name: string, input: unknown) => dispatch({ station, actor: 'tester' }, name, input);
  /** Drops a file into the hot folder and hands it to the station as the watcher would. */
  const drop = async (name: string, data: Buffer) => {
    const file = path.join(hot, name);
    fs.writeFileSync(file, data);
    const stat = fs.statSync(file);
    return station.ingest({ hotFolder: path.resolve(hot), profile: station.profileFor(hot), afterIngest: 'delete' }, { path: file, size: stat.size, mtimeMs: stat.mtimeMs });
  };
  return { root, hot, station, call, drop };
}

async function list(call: (name: string, input: unknown) => Promise<unknown>): Promise<QuarantineItemView[]> {
  const result = (await call('listQuarantine', {})) as { ok: boolean; value: { items: QuarantineItemView[]; total: number } };
  expect(result.ok).toBe(true);
  expect(result.value.total).toBe(result.value.items.length);
  return result.value.items;
}

function auditOf(station: Station, sourceId: string): { action: string; from_state: string | null; to_state: string | null; actor: string }[] {
  return station.store.db.prepare(`SELECT action, from_state, to_state, actor FROM audit WHERE subject_type = 'source' AND subject_id = ? ORDER BY id`).all(sourceId) as never;
}

function rowOf(station: Station, id: string): Record<string, unknown> {
  return station.store.db.prepare('SELECT * FROM source_files WHERE id = ?').get(id) as Record<string, unknown>;
}

describe('quarantine', () => {
  it('lists bad files with their reason code and hands out the kept original byte for byte', async () => {
    const { station, call, drop } = setUp();
    await station.start();
    const text = textFile();
    await drop('brief.txt', text);
    await drop('leer.pdf', Buffer.alloc(0));
    await station.whenIdle();

    const items = await list(call);
    expect(items.map((i) => [i.originalName, i.code]).sort()).toEqual([['brief.txt', 'text_or_office'], ['leer.pdf', 'empty']]);
    for (const item of items) {
      expect(item.hasOriginal).toBe(true);
      expect(item.reason.length).toBeGreaterThan(10);
      expect(Number.isNaN(Date.parse(item.at))).toBe(false);
    }
    const status = (await call('getStatus', {})) as { ok: true; value: { quarantined: number } };
    expect(status.value.quarantined).toBe(2);

    const txt = items.find((i) => i.originalName === 'brief.txt')!;
    const original = (await call('getQuarantineOriginal', { sourceId: txt.sourceId })) as { ok: true; value: { name: string; size: number; base64: string } };
    expect(original.ok).toBe(true);
    expect(original.value.name).toBe('brief.txt');
    expect(Buffer.from(original.value.base64, 'base64').equals(text)).toBe(true);

    const unknown = await call('getQuarantineOriginal', { sourceId: 'no-such-source' });
    expect(unknown).toMatchObject({ ok: false, code: 'not_found' });
    const hostile = await call('getQuarantineOriginal', { sourceId: '../../etc/passwd' });
    expect(hostile).toMatchObject({ ok: false, code: 'invalid_input' });
  });

  it('discards only with confirmation: the kept file goes, the row stays marked, the audit trail says who', async () => {
    const { station, call, drop } = setUp();
    await station.start();
    await drop('kaputt.bin', randomBytes(4096));
    await station.whenIdle();
    const [item] = await list(call);
    const kept = path.join(station.paths.dataDir, rowOf(station, item.sourceId).stored_path as string);
    expect(fs.existsSync(kept)).toBe(true);

    // Without confirm: refused, nothing changes.
    expect(await call('discardQuarantined', { sourceId: item.sourceId })).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(await call('discardQuarantined', { sourceId: item.sourceId, confirm: false })).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(fs.existsSync(kept)).toBe(true);
    expect(await list(call)).toHaveLength(1);

    const events: unknown[] = [];
    station.on('ui', (event) => events.push(event));
    expect(await call('discardQuarantined', { sourceId: item.sourceId, confirm: true })).toEqual({ ok: true, value: { sourceId: item.sourceId } });
    expect(fs.existsSync(kept)).toBe(false);
    expect(fs.existsSync(path.dirname(kept))).toBe(false);
    expect(await list(call)).toHaveLength(0);
    expect(station.status().quarantined).toHaveLength(0);
    expect(events).toContainEqual({ type: 'quarantine-changed' });

    const row = rowOf(station, item.sourceId);
    expect(row).toMatchObject({ state: 'quarantined', quarantine_outcome: 'discarded', stored_path: null, original_name: 'kaputt.bin' });
    expect(auditOf(station, item.sourceId).map((a) => [a.action, a.to_state, a.actor])).toEqual([
      ['ingest', 'ingested', 'station'],
      ['quarantine', 'quarantined', 'station'],
      ['quarantine_discard', 'discarded', 'tester'],
    ]);
    // Once is enough.
    expect(await call('discardQuarantined', { sourceId: item.sourceId, confirm: true })).toMatchObject({ ok: false, code: 'not_quarantined' });
    expect(await call('retryQuarantined', { sourceId: item.sourceId })).toMatchObject({ ok: false, code: 'not_quarantined' });
  });

  it('a retried file that fails again comes back to quarantine as a new entry; the old one keeps its history', async () => {
    const { station, call, drop } = setUp();
    await station.start();
    const text = textFile();
    await drop('notiz.txt', text);
    await station.whenIdle();
    const [first] = await list(call);

    const answer = (await call('retryQuarantined', { sourceId: first.sourceId })) as { ok: true; value: { sourceId: string; newSourceId: string } };
    expect(answer.ok).toBe(true);
    await station.whenIdle();

    const items = await list(call);
    expect(items).toHaveLength(1);
    const [again] = items;
    expect(again.sourceId).toBe(answer.value.newSourceId);
    expect(again).toMatchObject({ originalName: 'notiz.txt', code: 'text_or_office', hasOriginal: true });
    const keptAgain = path.join(station.paths.dataDir, rowOf(station, again.sourceId).stored_path as string);
    expect(fs.readFileSync(keptAgain).equals(text)).toBe(true);

    expect(rowOf(station, first.sourceId)).toMatchObject({ state: 'quarantined', quarantine_outcome: 'retried', retried_as: again.sourceId, stored_path: null });
    expect(fs.existsSync(path.join(station.paths.quarantine, first.sourceId))).toBe(false);
    expect(auditOf(station, first.sourceId).map((a) => a.action)).toEqual(['ingest', 'quarantine', 'quarantine_retry']);
    expect(auditOf(station, again.sourceId).map((a) => a.action)).toEqual(['ingest', 'quarantine']);
    expect(station.store.documents.list()).toHaveLength(0);
  });

  it('a retried file that now processes becomes a document to review', async () => {
    const { hot, station, call } = setUp();
    await station.start();
    // What the station leaves after a step failed on every attempt (say, a full disk): the original
    // kept under quarantine/<id>/ with the code processing_failed.
    const page = await renderPageFile({ seed: 3 }, 'jpeg');
    const id = crypto.randomUUID();
    const keptRelative = path.join('quarantine', id, 'scan_0001.jpg');
    fs.mkdirSync(path.join(station.paths.dataDir, 'quarantine', id), { recursive: true });
    fs.writeFileSync(path.join(station.paths.dataDir, keptRelative), page);
    station.store.sources.insert({
      id, sha256: crypto.createHash('sha256').update(page).digest('hex'), size: page.length, originalName: 'scan_0001.jpg',
      hotFolder: path.resolve(hot), hotPath: path.join(hot, 'scan_0001.jpg'), hotMtimeMs: Date.now(), storedPath: keptRelative,
      state: 'quarantined', reasonCode: 'processing_failed', reason: 'Processing failed after several attempts: ENOSPC',
    });
    expect((await list(call)).map((i) => i.code)).toEqual(['processing_failed']);

    const answer = (await call('retryQuarantined', { sourceId: id })) as { ok: true; value: { newSourceId: string } };
    expect(answer.ok).toBe(true);
    await station.whenIdle();

    expect(await list(call)).toHaveLength(0);
    const fresh = rowOf(station, answer.value.newSourceId);
    expect(fresh.state).toBe('processed');
    const documents = station.store.documents.list();
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ state: 'needs_review', page_count: 1, id: fresh.document_id });
    expect(fs.existsSync(path.join(station.paths.dataDir, documents[0].pdf_path!))).toBe(true);
    expect(fs.existsSync(path.join(station.paths.dataDir, keptRelative))).toBe(false);
  });

  it('a kept original left behind by a crash after discard is removed at the next start; open entries stay', async () => {
    const { root, station, call, drop } = setUp();
    await station.start();
    await drop('a.txt', textFile());
    await drop('b.bin', randomBytes(2048));
    await station.whenIdle();
    const items = await list(call);
    const gone = items.find((i) => i.originalName === 'a.txt')!;
    const open = items.find((i) => i.originalName === 'b.bin')!;
    const keptGone = path.join(station.paths.dataDir, rowOf(station, gone.sourceId).stored_path as string);
    const keptOpen = path.join(station.paths.dataDir, rowOf(station, open.sourceId).stored_path as string);
    expect(await call('discardQuarantined', { sourceId: gone.sourceId, confirm: true })).toMatchObject({ ok: true });
    // As if the station died between the commit and the delete: the file is still there.
    fs.mkdirSync(path.dirname(keptGone), { recursive: true });
    fs.writeFileSync(keptGone, textFile());
    await station.stop();
    running.splice(running.indexOf(station), 1);

    const config = station.config;
    const again = createStation({ dataDir: path.join(root, 'data'), config, watch: false, incompleteGraceMs: 0 });
    running.push(again);
    await again.start();
    expect(fs.existsSync(path.dirname(keptGone))).toBe(false);
    expect(fs.existsSync(keptOpen)).toBe(true);
    const left = (await dispatch({ station: again, actor: 'tester' }, 'listQuarantine', {})) as { ok: true; value: { items: QuarantineItemView[] } };
    expect(left.value.items.map((i) => i.sourceId)).toEqual([open.sourceId]);
  });

  it('a file that vanished before it was read has nothing to retry but can be dismissed', async () => {
    const { hot, station, call } = setUp();
    await station.start();
    const ghost = path.join(hot, 'weg.jpg');
    await station.ingest({ hotFolder: path.resolve(hot), profile: station.profileFor(hot), afterIngest: 'delete' }, { path: ghost, size: 100, mtimeMs: Date.now() });
    const [item] = await list(call);
    expect(item).toMatchObject({ code: 'vanished', hasOriginal: false });
    expect(await call('retryQuarantined', { sourceId: item.sourceId })).toMatchObject({ ok: false, code: 'original_missing' });
    expect(await call('getQuarantineOriginal', { sourceId: item.sourceId })).toMatchObject({ ok: false, code: 'original_missing' });
    expect(await call('discardQuarantined', { sourceId: item.sourceId, confirm: true })).toMatchObject({ ok: true });
    expect(await list(call)).toHaveLength(0);
  });
});
