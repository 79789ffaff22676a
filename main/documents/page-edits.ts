/**
 * Staff edits of a document's pages: turn, hand turn, delete, move, split, merge with the next
 * document, and undo. Each edit is one transaction that changes page rows (never page images),
 * stores a snapshot of what it changed for undo, writes the audit trail and queues a rebuild of
 * the PDF. A deleted page keeps its image and row (removed = 1), so undo brings it back until the
 * document is sent.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError, notFound } from '../api/errors.js';
import type { Station } from '../station.js';
import type { DocumentRow } from '../store/documents.js';
import { DocumentEditStore, type DetachedRows, type EditablePageRow, type EditSnapshot, type OrderedDocumentRow } from './edit-store.js';
import { assertEditable, notAPage } from './editable.js';

export type EditAction = 'rotate_page' | 'fine_turn_page' | 'delete_page' | 'move_page' | 'split_document' | 'merge_documents';

/** Hand turns larger than this are a quarter turn plus a small one. */
export const MAX_FINE_DEGREES = 20;

export interface EditOutcome {
  /** The document the edit was asked for (after a merge: the one that took the pages). */
  documentId: string;
  /** Documents whose pages changed (they are rebuilt). */
  changed: string[];
  /** The document a split created. */
  createdId?: string;
  /** The document a merge emptied and removed, or a split undone removed. */
  removedId?: string;
}

const visible = (pages: EditablePageRow[]) => pages.filter((page) => !page.removed);
/** Pages that go into the PDF (not deleted, not dropped as a blank back). */
const included = (pages: EditablePageRow[]) => pages.filter((page) => !page.dropped);

export class PageEditor {
  private readonly edits: DocumentEditStore;

  constructor(
    private readonly station: Station,
    private readonly actor: string,
  ) {
    this.edits = new DocumentEditStore(station.store.db);
  }

  rotatePage(documentId: string, pageId: string, degrees: 90 | 180 | 270): EditOutcome {
    return this.edit('rotate_page', [documentId], (doc) => {
      const page = this.visiblePage(doc, pageId);
      const quarters = (page.edit_quarters + degrees / 90) % 4;
      this.edits.setTurn(page.id, quarters, page.fine_degrees);
      return { detail: { pageId, degrees, turnDegrees: quarters * 90 } };
    });
  }

  /** Sets the hand turn (degrees clockwise, absolute, not added to the previous one). */
  fineTurnPage(documentId: string, pageId: string, degrees: number): EditOutcome {
    if (!Number.isFinite(degrees) || Math.abs(degrees) > MAX_FINE_DEGREES) {
      throw new ApiError('invalid_input', `degrees: a hand turn is between -${MAX_FINE_DEGREES} and ${MAX_FINE_DEGREES} degrees.`);
    }
    const fine = Math.round(degrees * 100) / 100;
    return this.edit('fine_turn_page', [documentId], (doc) => {
      const page = this.visiblePage(doc, pageId);
      this.edits.setTurn(page.id, page.edit_quarters, fine);
      return { detail: { pageId, degrees: fine } };
    });
  }

  deletePage(documentId: string, pageId: string): EditOutcome {
    return this.edit('delete_page', [documentId], (doc) => {
      const page = this.visiblePage(doc, pageId);
      const rest = included(this.edits.pages(doc.id)).filter((p) => p.id !== page.id);
      if (rest.length === 0) throw new ApiError('last_page', `pageId: ${pageId} is the last page of document ${doc.id}; a document keeps at least one page.`);
      this.edits.setRemoved(page.id);
      return { detail: { pageId } };
    });
  }

  /** Moves a page to `toIndex` among the document's shown (not deleted) pages. */
  movePage(documentId: string, pageId: string, toIndex: number): EditOutcome {
    return this.edit('move_page', [documentId], (doc) => {
      const page = this.visiblePage(doc, pageId);
      const all = this.edits.pages(doc.id);
      const shown = visible(all);
      if (!Number.isInteger(toIndex) || toIndex < 0 || toIndex >= shown.length) {
        throw new ApiError('invalid_input', `toIndex: must be from 0 to ${shown.length - 1} (the document has ${shown.length} pages).`);
      }
      const from = shown.findIndex((p) => p.id === page.id);
      if (from === toIndex) throw new ApiError('no_change', `toIndex: page ${pageId} is already at position ${toIndex}.`);
      shown.splice(from, 1);
      shown.splice(toIndex, 0, page);
      // Deleted pages keep their rows after the shown ones; they do not reach the PDF.
      this.edits.setOrder(doc.id, [...shown, ...all.filter((p) => p.removed)]);
      return { detail: { pageId, fromIndex: from, toIndex } };
    });
  }

  /** The page and everything after it become a new document (same batch, folder and profile), right after this one. */
  splitDocument(documentId: string, pageId: string): EditOutcome {
    const newId = crypto.randomUUID();
    return this.edit('split_document', [documentId, newId], (doc) => {
      const page = this.visiblePage(doc, pageId);
      const all = this.edits.pages(doc.id);
      const at = all.findIndex((p) => p.id === page.id);
      const head = all.slice(0, at);
      const tail = all.slice(at);
      if (visible(head).length === 0) throw new ApiError('invalid_page', `pageId: ${pageId} is the first page; splitting there would leave document ${doc.id} empty.`);
      if (included(head).length === 0 || included(tail).length === 0) {
        throw new ApiError('empty_part', `pageId: splitting at ${pageId} would leave a part with only blank (dropped) pages.`);
      }
      const next = this.edits.nextDocument(doc);
      const key = this.edits.orderKey(doc.id);
      // Between this document and the next, so "merge with next" puts the parts back together.
      const newKey = next ? (key + this.edits.orderKey(next.id)) / 2 : key + 1;
      this.station.store.documents.insert({
        id: newId,
        title: doc.title,
        hotFolder: doc.hot_folder,
        profileName: doc.profile_name,
        documentType: doc.document_type,
        batchId: doc.batch_id,
      });
      // Its pages are processed already: it is ready for review at once (its PDF follows).
      this.station.store.documents.setState(newId, 'needs_review');
      this.edits.setOrderKey(newId, newKey);
      this.edits.setOrder(newId, tail);
      this.edits.setOrder(doc.id, head);
      this.station.store.audit.record({ actor: this.actor, action: 'create_document', subjectType: 'document', subjectId: newId, toState: 'needs_review', detail: { splitFrom: doc.id, pages: tail.length } });
      return { detail: { pageId, newDocumentId: newId, pagesMoved: visible(tail).length }, createdId: newId };
    });
  }

  /** The next document's pages are appended to this one; the next document is removed (undo brings it back). */
  mergeWithNext(documentId: string): EditOutcome {
    const doc = this.document(documentId);
    const next = this.edits.nextDocument(doc);
    if (!next) throw new ApiError('no_next_document', `Document ${documentId} has no next document in its batch to merge with.`);
    return this.edit('merge_documents', [documentId, next.id], (first) => {
      const second = this.document(next.id);
      assertEditable(second);
      const pages = this.edits.pages(first.id);
      const added = this.edits.pages(second.id);
      this.edits.setOrder(first.id, [...visible(pages), ...visible(added), ...pages.filter((p) => p.removed), ...added.filter((p) => p.removed)]);
      this.edits.pointSources(second.id, first.id);
      const detached = this.edits.detachDocument(second.id);
      this.edits.deleteDocument(second.id);
      this.station.store.audit.record({ actor: this.actor, action: 'merged_into', subjectType: 'document', subjectId: second.id, fromState: second.state, toState: null, detail: { into: first.id } });
      return { detail: { mergedId: second.id, pagesAdded: visible(added).length }, removedId: second.id, changed: [first.id], detached };
    });
  }

  /** Undoes the newest edit of the document that is not undone yet; again for the one before. */
  undo(documentId: string): EditOutcome & { undone: EditAction } {
    const outcome = this.station.store.transaction(() => {
      const doc = this.document(documentId);
      assertEditable(doc);
      const last = this.edits.lastEdit(doc.id);
      if (!last) throw new ApiError('nothing_to_undo', `Document ${documentId} has no edit to undo.`);
      const snapshot = JSON.parse(last.snapshot) as EditSnapshot;
      for (const { id } of snapshot.documents) {
        if (id === doc.id) continue;
        const newer = this.edits.lastEdit(id);
        if (newer && newer.id !== last.id) {
          throw new ApiError('undo_blocked', `The last edit of document ${documentId} also changed document ${id}, which was edited since; undo that first.`);
        }
        const other = this.edits.document(id);
        if (other) assertEditable(other);
      }
      // Rows first (pages point at them), then pages and sources, then rows the edit had created.
      for (const { id, row } of snapshot.documents) if (row && !this.edits.document(id)) this.edits.restoreDocument(row);
      if (snapshot.detached) this.edits.reattach(snapshot.detached);
      this.edits.restorePages(snapshot);
      const removed: string[] = [];
      for (const { id, row } of snapshot.documents) {
        if (row || !this.edits.document(id)) continue;
        if (this.edits.pages(id).length > 0) throw new ApiError('undo_blocked', `Document ${id} holds pages the undo cannot place; undo stopped.`);
        // What other areas noted about the document the edit had made goes with it.
        this.edits.detachDocument(id);
        this.edits.deleteDocument(id);
        removed.push(id);
      }
      const changed = snapshot.documents.filter(({ row }) => row).map(({ id }) => id);
      for (const id of changed) {
        this.edits.touch(id);
        this.station.store.jobs.enqueue('assemble_document', id);
      }
      this.edits.markUndone(last.id, this.actor);
      this.station.store.audit.record({ actor: this.actor, action: 'undo_edit', subjectType: 'document', subjectId: doc.id, detail: { undone: last.action, editId: last.id, documents: snapshot.documents.map((d) => d.id) } });
      return { documentId: doc.id, changed, removedId: removed[0], undone: last.action as EditAction };
    });
    this.afterCommit(outcome);
    return outcome;
  }

  canUndo(documentId: string): EditAction | null {
    return (this.edits.lastEdit(documentId)?.action as EditAction | undefined) ?? null;
  }

  /**
   * Runs one edit: checks the document, snapshots the touched documents, applies the change,
   * records history and audit, and queues the rebuilds, all in one transaction.
   */
  private edit(
    action: EditAction,
    documentIds: string[],
    apply: (doc: DocumentRow) => { detail: Record<string, unknown>; createdId?: string; removedId?: string; changed?: string[]; detached?: DetachedRows[] },
  ): EditOutcome {
    const outcome = this.station.store.transaction(() => {
      const doc = this.document(documentIds[0]);
      assertEditable(doc);
      const snapshot = this.edits.snapshot(documentIds);
      const result = apply(doc);
      if (result.detached?.length) snapshot.detached = result.detached;
      this.edits.recordEdit(this.actor, action, snapshot);
      const changed = result.changed ?? documentIds;
      for (const id of changed) {
        this.edits.touch(id);
        this.station.store.jobs.enqueue('assemble_document', id);
      }
      this.station.store.audit.record({ actor: this.actor, action, subjectType: 'document', subjectId: doc.id, detail: result.detail });
      return { documentId: doc.id, changed, createdId: result.createdId, removedId: result.removedId };
    });
    this.afterCommit(outcome);
    return outcome;
  }

  /** Tells the UI, starts the rebuild now rather than at the runner's next poll, drops a removed document's PDF. */
  private afterCommit(outcome: EditOutcome): void {
    if (outcome.removedId) fs.rmSync(path.join(this.station.paths.documents, `${outcome.removedId}.pdf`), { force: true });
    const ids = [...new Set([outcome.documentId, ...outcome.changed, ...(outcome.removedId ? [outcome.removedId] : [])])];
    this.station.emit('ui', { type: 'documents-changed', ids });
    this.station.wakeJobs?.();
  }

  private document(id: string): OrderedDocumentRow {
    const doc = this.edits.document(id);
    if (!doc) throw notFound('Document', id);
    return doc;
  }

  private visiblePage(doc: DocumentRow, pageId: string): EditablePageRow {
    const page = this.edits.page(pageId);
    if (!page || page.document_id !== doc.id || page.removed) throw notAPage(doc.id, pageId);
    return page;
  }
}
