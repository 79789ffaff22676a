/**
 * The mailroom flow's store side on a real SQLite file (no images): a closed batch's pages with
 * their stored marks become documents in one transaction: pages assigned in order, separator
 * pages kept but dropped, assemble jobs queued, assignment and flags recorded, the state after
 * the first PDF decided; a failure in the middle leaves nothing, and the split then runs again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StationStore } from '../main/store/station-store.js';
import { profileSchema } from '../main/config/schema.js';
import { MailroomFlow } from '../main/mailroom/flow/mailroom-flow.js';
import type { MarksLike } from '../main/mailroom/flow/types.js';
import type { StationEvent } from '../preload/contract/events.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const none = (): MarksLike => ({ barcodes: [], separator: null, coverSheet: null, assignments: [] });
const label = (customerNumber: string): MarksLike => ({
  ...none(),
  barcodes: [{ format: 'Code128', text: `KDNR:${customerNumber}` }],
  assignments: [{ rule: 'customer-label', barcodeIndex: 0, customerNumber, documentType: null, expectedPages: null }],
});
const sheet = (): MarksLike => ({ ...none(), separator: 'station-sheet', barcodes: [{ format: 'QRCode', text: 'IS1|SEP' }] });

type Spec = { marks: MarksLike; blank?: boolean };

function setUp(specs: Spec[], lookupFails = () => false) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-mailroom-flow-'));
  dirs.push(dir);
  const store = StationStore.open(path.join(dir, 'station.db'), 'test');
  const events: StationEvent[] = [];
  const flow = new MailroomFlow({
    store,
    actor: 'station',
    emit: (event) => events.push(event),
    barcodeRules: () => undefined,
    lookup: (number) => {
      if (lookupFails()) throw new Error('directory unavailable');
      return number === 'K1' ? { id: 'cu_1', customerNumber: 'K1' } : null;
    },
  });
  const batch = store.batches.open('batch-1', '/hot', 1000, 0);
  const sources = specs.map((spec, i) => {
    const id = `s${i}`;
    store.sources.insert({ id, sha256: `h${i}`, size: 1, originalName: `scan_${i + 1}.jpg`, hotFolder: '/hot', hotPath: `/hot/scan_${i + 1}.jpg`, hotMtimeMs: i, storedPath: `o/${id}`, state: 'ingested', batchId: batch.id });
    store.pages.upsert({
      id: `${id}-p0`, source_id: id, source_index: 0, image_path: `${id}.jpg`, image_format: 'jpeg', width: 10, height: 10, dpi: 300,
      skew_degrees: 0, skew_confidence: 1, skew_reliable: 1, rotated_degrees: 0, turn_quarters: 0, orientation_reliable: 1,
      blank: spec.blank ? 1 : 0, colour_mode: 'grey', passthrough: 0, bytes: 1, processing_json: null,
    });
    flow.saveMarks([{ pageId: `${id}-p0`, marks: spec.marks, error: null, ms: 1 }]);
    store.sources.markProcessed(id, 'jpeg', 1);
    return store.sources.get(id)!;
  });
  const profile = profileSchema.parse({ kind: 'mailroom', separation: { mode: 'station_sheet', duplex: false } });
  return { store, flow, sources, profile, events };
}

describe('mailroom flow: a closed batch becomes documents', () => {
  it('creates one document per plan with its pages in order, separator pages dropped, jobs, assignment and flags', () => {
    const { store, flow, sources, profile } = setUp([{ marks: label('K1') }, { marks: none() }, { marks: sheet() }, { marks: label('K9') }]);
    const ids = store.transaction(() => flow.split('batch-1', '/hot', profile, sources));
    expect(ids).toHaveLength(2);

    const [first, second] = ids.map((id) => store.documents.get(id)!);
    expect(first.customer_id).toBe('cu_1');
    expect(second.customer_id).toBeNull();
    expect(store.pages.forDocument(first.id).map((p) => [p.id, p.position, p.dropped])).toEqual([['s0-p0', 0, 0], ['s1-p0', 1, 0]]);
    expect(store.pages.forDocument(second.id).map((p) => [p.id, p.position, p.dropped])).toEqual([['s2-p0', 0, 1], ['s3-p0', 1, 0]]);
    expect(store.pages.unassignedCount()).toBe(0);
    expect(store.jobs.counts()['pending']).toBe(2);

    // The known customer's letter is ready once built; the unknown number goes to review, flagged with it.
    expect(flow.stateAfterAssembly(first.id)).toBe('ready');
    expect(flow.stateAfterAssembly(second.id)).toBe('needs_review');
    expect(JSON.parse(flow.store.document(second.id)!.flags_json)).toEqual([{ code: 'unknown_customer', customerNumber: 'K9' }]);
    expect(flow.store.document(second.id)!.split_reason).toBe('station_sheet');
    // The first build consumes the state; a rebuild after an edit keeps whatever staff made of it.
    store.transaction(() => flow.assembled(first.id));
    expect(flow.stateAfterAssembly(first.id)).toBeNull();

    // The audit trail names the split but holds no customer number or barcode text.
    const audit = JSON.stringify(store.db.prepare("SELECT detail FROM audit WHERE action = 'create_document'").all());
    expect(audit).toContain('station_sheet');
    expect(audit).not.toContain('K9');
    expect(audit).not.toContain('KDNR');
  });

  it('autoSend sends an assigned document straight on', () => {
    const { store, flow, sources, profile } = setUp([{ marks: label('K1') }]);
    const [id] = store.transaction(() => flow.split('batch-1', '/hot', { ...profile, autoSend: true }, sources));
    expect(flow.stateAfterAssembly(id)).toBe('queued');
  });

  it('a failure in the middle of the split leaves nothing behind; the split then runs again in full', () => {
    let calls = 0;
    let failing = true;
    const { store, flow, sources, profile } = setUp([{ marks: label('K1') }, { marks: sheet() }, { marks: label('K1') }], () => failing && ++calls === 2);
    expect(() => store.transaction(() => flow.split('batch-1', '/hot', profile, sources))).toThrow(/directory unavailable/);
    expect(store.documents.list()).toHaveLength(0);
    expect(store.pages.unassignedCount()).toBe(3);
    expect(flow.store.forBatch('batch-1')).toHaveLength(0);

    failing = false;
    const ids = store.transaction(() => flow.split('batch-1', '/hot', profile, sources));
    expect(ids).toHaveLength(2);
    expect(flow.store.forBatch('batch-1').map((row) => row.document_id)).toEqual(ids);
  });

  it('reports progress per batch as sources finish, with an estimate once the rate is known', () => {
    let now = 0;
    const { store, flow, sources, events } = setUp([{ marks: none() }, { marks: none() }, { marks: none() }]);
    // Two more files still being processed.
    for (const i of [3, 4]) store.sources.insert({ id: `s${i}`, sha256: `h${i}`, size: 1, originalName: `scan_${i + 1}.jpg`, hotFolder: '/hot', hotPath: `/hot/x${i}`, hotMtimeMs: i, storedPath: `o/s${i}`, state: 'ingested', batchId: 'batch-1' });
    (flow as unknown as { options: { now: () => number } }).options.now = () => now;
    now = 1000;
    flow.onSourceProcessed(sources[0]);
    now = 3000;
    store.sources.markProcessed('s3', 'jpeg', 1);
    flow.onSourceProcessed(store.sources.get('s3')!);
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress[0]).toEqual({ type: 'progress', batchId: 'batch-1', pagesDone: 3, pagesTotal: 5, etaSeconds: null });
    // One page in two seconds, one page left: about two seconds.
    expect(progress.at(-1)).toEqual({ type: 'progress', batchId: 'batch-1', pagesDone: 4, pagesTotal: 5, etaSeconds: 2 });
    expect(flow.progressOf('batch-1')?.pagesTotal).toBe(5);
  });
});
