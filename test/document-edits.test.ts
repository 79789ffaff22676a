/**
 * Page edits through the one API choke point (dispatch), on a real station: real scans taken as a
 * scanner batch, a real SQLite file, and the PDF rebuilt by the job runner after every edit, read
 * back with pdf-lib and rendered with poppler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { stationCaller } from './support/api.js';
import type { DocumentDetailView } from '../preload/contract/documents.js';
import {
  markCentre,
  markCorner,
  markedHeightPt,
  markedPage,
  pdfBytes,
  pdfImageStreams,
  pdfPageSizes,
  startMarkedStation,
  waitBuilt,
  type MarkedStation,
} from './fixtures/marked-pages.js';

const sha = (data: Uint8Array) => crypto.createHash('sha256').update(data).digest('hex');

let env: MarkedStation;
let scans = 0;

beforeAll(async () => {
  env = await startMarkedStation();
});

afterAll(async () => {
  await env?.stop();
});

const actor = 'sachbearbeiterin';

const { call, refused } = stationCaller(() => ({ station: env.station, actor }));

/** A fresh document of the given marked pages (by index), as one scanner batch. */
async function scan(indexes: number[]): Promise<string> {
  scans++;
  const files = await Promise.all(indexes.map(async (i, n) => ({ name: `scan_${scans}_${n + 1}.jpg`, data: await markedPage(i, { variant: scans }) })));
  return env.scanBatch(files);
}

async function built(id: string): Promise<Buffer> {
  await waitBuilt(env.station, id);
  return pdfBytes(env.station, id);
}

/** Which marked page is where in the PDF, told by page height (an upright page) or width (a sideways one). */
async function pageOrder(pdf: Uint8Array): Promise<number[]> {
  const heights = [0, 1, 2, 3].map(markedHeightPt);
  return (await pdfPageSizes(pdf)).map((size) => {
    const upright = heights.indexOf(size.height);
    return upright >= 0 ? upright : heights.indexOf(size.width);
  });
}

describe('page edits', () => {
  it('shows the document with its pages, in scan order, unflagged', async () => {
    const id = await scan([0, 1, 2]);
    const detail = await call<DocumentDetailView>('getDocumentDetail', { id });
    expect(detail.state).toBe('needs_review');
    expect(detail.editable).toBe(true);
    expect(detail.pages.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(detail.pages.map((p) => p.height)).toEqual([1169, 1079, 989]);
    expect(detail.pages[0]!.thumbUrl).toBe(`/resource/page/${detail.pages[0]!.id}/thumb`);
    expect(detail.pages[0]!.imageUrl).toBe(`/resource/page/${detail.pages[0]!.id}/image`);
    expect(detail.undoAction).toBeNull();
    expect(await pageOrder(await built(id))).toEqual([0, 1, 2]);
  });

  it('turns a page by quarter turns, losslessly, and undo restores the PDF byte for byte', async () => {
    const id = await scan([0, 1]);
    const original = await built(id);
    expect(await markCorner(original, 1)).toBe('tl');
    const first = (await call<DocumentDetailView>('getDocumentDetail', { id })).pages[0]!.id;

    const turned = await call<DocumentDetailView>('rotatePage', { id, pageId: first, degrees: 90 });
    expect(turned.pages[0]!.turnDegrees).toBe(90);
    expect(turned.undoAction).toBe('rotate_page');
    let pdf = await built(id);
    const sizes = await pdfPageSizes(pdf);
    expect(sizes[0]).toEqual({ width: markedHeightPt(0), height: 595 });
    // Clockwise: the top-left square goes to the top right.
    expect(await markCorner(pdf, 1)).toBe('tr');
    // The image is embedded as it was: the turn is in how the page draws it.
    expect(await pdfImageStreams(pdf)).toEqual(await pdfImageStreams(original));

    await call('rotatePage', { id, pageId: first, degrees: 90 });
    pdf = await built(id);
    expect(await markCorner(pdf, 1)).toBe('br');
    expect((await pdfPageSizes(pdf))[0]).toEqual({ width: 595, height: markedHeightPt(0) });

    await call('undoEdit', { id });
    expect(await markCorner(await built(id), 1)).toBe('tr');
    const undone = await call<{ document: DocumentDetailView }>('undoEdit', { id });
    expect(undone.document.pages[0]!.turnDegrees).toBe(0);
    expect(undone.document.undoAction).toBeNull();
    expect(sha(await built(id))).toBe(sha(original));
    expect((await refused('undoEdit', { id })).code).toBe('nothing_to_undo');
  });

  it('turns a 1-bit page without touching its G4 data', async () => {
    scans++;
    const id = await env.scanBatch([{ name: `fax_${scans}.tif`, data: await markedPage(3, { format: 'tiff-g4', variant: scans }) }], { bw: true });
    const original = await built(id);
    const [page] = env.station.store.pages.forDocument(id);
    expect(page!.image_format).toBe('g4tiff');
    await call('rotatePage', { id, pageId: page!.id, degrees: 270 });
    const pdf = await built(id);
    expect(await pdfPageSizes(pdf)).toEqual([{ width: markedHeightPt(3), height: 595 }]);
    // Counter-clockwise: the top-left square goes to the bottom left.
    expect(await markCorner(pdf, 1)).toBe('bl');
    expect(await pdfImageStreams(pdf)).toEqual(await pdfImageStreams(original));
  });

  it('fine-turns a page by hand: the page keeps its size, the content turns clockwise', async () => {
    const id = await scan([1]);
    const original = await built(id);
    const pageId = (await call<DocumentDetailView>('getDocumentDetail', { id })).pages[0]!.id;
    const before = await markCentre(original, 1);
    const detail = await call<DocumentDetailView>('fineTurnPage', { id, pageId, degrees: 4 });
    expect(detail.pages[0]!.fineDegrees).toBe(4);
    const pdf = await built(id);
    expect(await pdfPageSizes(pdf)).toEqual(await pdfPageSizes(original));
    const after = await markCentre(pdf, 1);
    // Turning clockwise about the centre moves a top-left mark right and up.
    expect(after.x - before.x).toBeGreaterThan(0.02);
    expect(after.y - before.y).toBeLessThan(-0.01);
    // Absolute, not added: 0 takes the hand turn off again.
    await call('fineTurnPage', { id, pageId, degrees: 0 });
    expect(sha(await built(id))).toBe(sha(original));
  });

  it('deletes a page (kept for undo), refuses to delete the last one', async () => {
    const id = await scan([0, 1, 2]);
    const original = await built(id);
    const detail = await call<DocumentDetailView>('getDocumentDetail', { id });
    const after = await call<DocumentDetailView>('deletePage', { id, pageId: detail.pages[1]!.id });
    expect(after.pages.map((p) => p.id)).toEqual([detail.pages[0]!.id, detail.pages[2]!.id]);
    expect(after.pages.map((p) => p.index)).toEqual([0, 1]);
    expect(await pageOrder(await built(id))).toEqual([0, 2]);
    expect(env.station.store.documents.get(id)!.page_count).toBe(2);

    await call('deletePage', { id, pageId: detail.pages[0]!.id });
    const last = await refused('deletePage', { id, pageId: detail.pages[2]!.id });
    expect(last.code).toBe('last_page');
    expect(last.message).toContain('pageId');
    // A deleted page is no longer a page of the document for edits.
    expect((await refused('rotatePage', { id, pageId: detail.pages[1]!.id, degrees: 90 })).code).toBe('invalid_page');

    await call('undoEdit', { id });
    await call('undoEdit', { id });
    expect((await call<DocumentDetailView>('getDocumentDetail', { id })).pages.map((p) => p.id)).toEqual(detail.pages.map((p) => p.id));
    expect(sha(await built(id))).toBe(sha(original));
  });

  it('moves a page and undo puts it back', async () => {
    const id = await scan([0, 1, 2, 3]);
    const original = await built(id);
    const detail = await call<DocumentDetailView>('getDocumentDetail', { id });
    await call('movePage', { id, pageId: detail.pages[3]!.id, toIndex: 0 });
    expect(await pageOrder(await built(id))).toEqual([3, 0, 1, 2]);
    await call('movePage', { id, pageId: detail.pages[0]!.id, toIndex: 3 });
    expect(await pageOrder(await built(id))).toEqual([3, 1, 2, 0]);
    const tooFar = await refused('movePage', { id, pageId: detail.pages[0]!.id, toIndex: 4 });
    expect(tooFar.code).toBe('invalid_input');
    expect(tooFar.message).toContain('toIndex');
    await call('undoEdit', { id });
    await call('undoEdit', { id });
    expect(sha(await built(id))).toBe(sha(original));
  });

  it('splits a document and merges it back; undo of the merge and of the split restore both', async () => {
    const id = await scan([0, 1, 2, 3]);
    const original = await built(id);
    const detail = await call<DocumentDetailView>('getDocumentDetail', { id });
    expect(detail.nextDocumentId).toBeNull();

    const split = await call<{ document: DocumentDetailView; newDocumentId: string }>('splitDocument', { id, pageId: detail.pages[2]!.id });
    const second = split.newDocumentId;
    expect(split.document.pages.map((p) => p.id)).toEqual(detail.pages.slice(0, 2).map((p) => p.id));
    expect(split.document.nextDocumentId).toBe(second);
    expect(await pageOrder(await built(id))).toEqual([0, 1]);
    expect(await pageOrder(await built(second))).toEqual([2, 3]);
    const secondRow = env.station.store.documents.get(second)!;
    expect(secondRow).toMatchObject({ state: 'needs_review', batch_id: detail.batchId, profile_name: detail.profileName, page_count: 2 });

    // Another area keeps a row about the second document (as the mailroom does for its batches):
    // the merge takes it out with the document, undo puts it back.
    const db = env.station.store.db;
    db.exec('CREATE TABLE IF NOT EXISTS test_document_notes (document_id TEXT NOT NULL REFERENCES documents(id), note TEXT)');
    db.prepare('INSERT INTO test_document_notes (document_id, note) VALUES (?, ?)').run(second, 'split off');
    // An edit on the new document, then merge: the merge takes the edited page along.
    await call('rotatePage', { id: second, pageId: detail.pages[3]!.id, degrees: 180 });
    const merged = await call<{ document: DocumentDetailView; mergedId: string }>('mergeWithNext', { id });
    expect(merged.mergedId).toBe(second);
    expect(merged.document.pages.map((p) => p.id)).toEqual(detail.pages.map((p) => p.id));
    expect(env.station.store.documents.get(second)).toBeUndefined();
    expect(db.prepare('SELECT COUNT(*) AS n FROM test_document_notes').get()).toEqual({ n: 0 });
    let pdf = await built(id);
    expect(await pageOrder(pdf)).toEqual([0, 1, 2, 3]);
    expect(await markCorner(pdf, 4)).toBe('br');

    // Undo the merge: the second document is back as it was, with its turned page.
    await call('undoEdit', { id });
    expect(env.station.store.documents.get(second)).toMatchObject({ state: 'needs_review', batch_id: detail.batchId });
    expect(db.prepare('SELECT document_id, note FROM test_document_notes').all()).toEqual([{ document_id: second, note: 'split off' }]);
    await waitBuilt(env.station, second);
    expect(await pageOrder(pdfBytes(env.station, second))).toEqual([2, 3]);
    expect(await markCorner(pdfBytes(env.station, second), 2)).toBe('br');
    // The split cannot be undone while the second document has its own later edit.
    expect((await refused('undoEdit', { id })).code).toBe('undo_blocked');
    await call('undoEdit', { id: second });
    await call('undoEdit', { id });
    expect(env.station.store.documents.get(second)).toBeUndefined();
    pdf = await built(id);
    expect(sha(pdf)).toBe(sha(original));
    // Every step is in the audit trail under the staff member's name.
    const actions = env.station.store.audit.forSubject('document', id).filter((e) => e.actor === actor).map((e) => e.action);
    expect(actions).toEqual(['split_document', 'merge_documents', 'undo_edit', 'undo_edit']);
  });

  it('keeps split parts in page order and follows a mailroom batch by its sequence', async () => {
    const id = await scan([0, 1, 2]);
    const original = await built(id);
    const { pages } = await call<DocumentDetailView>('getDocumentDetail', { id });
    // Split off the last page, then the middle one: the middle part must come between.
    const last = (await call<{ newDocumentId: string }>('splitDocument', { id, pageId: pages[2]!.id })).newDocumentId;
    const middle = (await call<{ newDocumentId: string }>('splitDocument', { id, pageId: pages[1]!.id })).newDocumentId;
    expect((await call<DocumentDetailView>('getDocumentDetail', { id })).nextDocumentId).toBe(middle);
    expect((await call<DocumentDetailView>('getDocumentDetail', { id: middle })).nextDocumentId).toBe(last);
    await call('mergeWithNext', { id });
    await call('mergeWithNext', { id });
    expect(sha(await built(id))).toBe(sha(original));

    // Documents the mailroom made in one moment: equal times, their batch sequence decides.
    const [a, b] = [await scan([0]), await scan([1])];
    const db = env.station.store.db;
    const batch = env.station.store.documents.get(a)!.batch_id;
    const at = env.station.store.documents.get(a)!.created_at;
    const [first, second] = [a, b].sort().reverse();
    db.prepare('UPDATE documents SET batch_id = ?, created_at = ? WHERE id IN (?, ?)').run(batch, at, a, b);
    const insert = db.prepare(`INSERT INTO mailroom_documents (document_id, batch_id, seq, split_reason, split_at, created_at) VALUES (?, ?, ?, 'separator', 0, ?)`);
    insert.run(first, batch, 0, at);
    insert.run(second, batch, 1, at);
    expect((await call<DocumentDetailView>('getDocumentDetail', { id: first! })).nextDocumentId).toBe(second);
    expect((await call<DocumentDetailView>('getDocumentDetail', { id: second! })).nextDocumentId).toBeNull();
  });

  it('refuses edits once a document is queued, and bad input with the field named', async () => {
    const id = await scan([0, 1]);
    await built(id);
    const pageId = (await call<DocumentDetailView>('getDocumentDetail', { id })).pages[0]!.id;

    const badTurn = await refused('rotatePage', { id, pageId, degrees: 45 });
    expect(badTurn.code).toBe('invalid_input');
    expect(badTurn.message).toContain('degrees');
    const badFine = await refused('fineTurnPage', { id, pageId, degrees: 30 });
    expect(badFine.message).toContain('degrees');
    expect((await refused('rotatePage', { id, pageId: 'x/../y', degrees: 90 })).message).toContain('pageId');
    expect((await refused('rotatePage', { id, pageId, degrees: 90, extra: 1 })).code).toBe('invalid_input');
    expect((await refused('rotatePage', { id: 'no-such-document', pageId, degrees: 90 })).code).toBe('not_found');
    const foreign = await refused('splitDocument', { id, pageId: 'other-p0' });
    expect(foreign.code).toBe('invalid_page');
    expect((await refused('splitDocument', { id, pageId })).code).toBe('invalid_page');

    await call('rotatePage', { id, pageId, degrees: 270 });
    await built(id);
    // Queued as the assign step leaves it (assign.test.ts covers that step itself); sending is
    // paused so the document stays queued while the edits are tried.
    (env.station as unknown as { sending?: { pause?(): void } }).sending?.pause?.();
    env.station.store.documents.setState(id, 'queued');
    for (const [name, input] of [
      ['rotatePage', { id, pageId, degrees: 90 }],
      ['deletePage', { id, pageId }],
      ['movePage', { id, pageId, toIndex: 1 }],
      ['undoEdit', { id }],
      ['fineTurnPage', { id, pageId, degrees: 1 }],
    ] as const) {
      const answer = await refused(name, input);
      expect(answer.code, name).toBe('not_editable');
    }
    // Sent: the same.
    env.station.store.documents.setState(id, 'uploaded');
    expect((await refused('deletePage', { id, pageId })).code).toBe('not_editable');
    env.station.store.documents.setState(id, 'ready');
    (env.station as unknown as { sending?: { resume?(): void } }).sending?.resume?.();
  });

  it('keeps the undo history across a restart of the station', async () => {
    const id = await scan([0, 1]);
    const original = await built(id);
    const pageId = (await call<DocumentDetailView>('getDocumentDetail', { id })).pages[1]!.id;
    await call('rotatePage', { id, pageId, degrees: 180 });
    await call('deletePage', { id, pageId: (await call<DocumentDetailView>('getDocumentDetail', { id })).pages[0]!.id });
    await built(id);
    await env.restart();
    expect((await call<DocumentDetailView>('getDocumentDetail', { id })).undoAction).toBe('delete_page');
    await call('undoEdit', { id });
    await call('undoEdit', { id });
    expect(sha(await built(id))).toBe(sha(original));
  });
});
