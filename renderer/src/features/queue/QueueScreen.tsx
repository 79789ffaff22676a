/**
 * The queue: documents of one view (newest first) in a virtualized list, so 10,000 documents keep
 * a few dozen rows in the page. Keyboard: arrows, Page Up/Down, Home/End move; Enter opens.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { DocumentSummaryView } from '../../../../preload/contract/documents';
import { errorText, formatCount } from '../../i18n';
import { navigate, rememberListPath, type ScreenDefinition, type ScreenProps } from '../../routes';
import { isQueueView, type QueueViewId } from './queue-views';
import { usePagedDocuments, type PagedDocuments } from './usePagedDocuments';
import { DocumentErrorLine } from './document-error';
import { flagWords } from '../batch-review/BatchReviewScreen';
import { useStationStatus } from '../../shell/station-status';
import { useTakeFocus } from '../../hooks/useTakeFocus';

const ROW_HEIGHT = 64;

/** The selected document per view, kept while the app runs (not across restarts). */
const lastSelection = new Map<QueueViewId, { id: string; index: number }>();

function formatTime(iso: string, language: string): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  const locale = language === 'en' ? 'en-GB' : 'de-DE';
  return sameDay
    ? date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(locale, { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function QueueRow({ doc, index, active, rowId, language }: { doc: DocumentSummaryView | undefined; index: number; active: boolean; rowId: string; language: string }) {
  const { t } = useTranslation();
  if (!doc) {
    return (
      <div className="queue-row queue-row--loading" id={rowId} role="option" aria-selected={active} aria-busy="true" data-index={index}>
        <span className="queue-row-title">{t('queue.loadingRow')}</span>
      </div>
    );
  }

  return (
    <div
      className={'queue-row' + (active ? ' is-active' : '')}
      id={rowId}
      role="option"
      aria-selected={active}
      data-index={index}
      data-document-id={doc.id}
      data-state={doc.state}
      onClick={() => navigate(`/document/${encodeURIComponent(doc.id)}`)}
    >
      <div className="queue-row-main">
        {/* No link inside an option (nested interactive content): the row itself opens the document. */}
        <span className="queue-row-title">{doc.title}</span>
        <span className="queue-row-meta">
          {t('shell.common.pages', { count: doc.pageCount })} · {t('queue.profile', { name: doc.profileName })}
        </span>
      </div>
      <div className="queue-row-assign">
        {doc.customerId ? (
          <span className="queue-row-customer" data-customer-id={doc.customerId}>
            {doc.customerName ? t('queue.customerNamed', { name: doc.customerName, number: doc.customerNumber }) : t('queue.customerGone')}
          </span>
        ) : (
          <span className="muted">{t('queue.unassigned')}</span>
        )}
        {doc.documentType && <span className="queue-row-type">{doc.documentType}</span>}
      </div>
      <div className="queue-row-flags">
        {(doc.state === 'processing' || doc.state === 'error') && <span className={`badge badge--${doc.state}`}>{t(`queue.state.${doc.state}`)}</span>}
        {/* In the user's language by code (the summary's `flags` are the station's English words). */}
        {doc.flagDetails.map((flag, i) => (
          <span key={`${flag.code}-${i}`} className="badge badge--flag" data-flag={flag.code}>
            <span aria-hidden="true">⚠ </span>
            {flagWords(t, flag)}
          </span>
        ))}
        {doc.state === 'error' && <DocumentErrorLine doc={doc} />}
      </div>
      <time className="queue-row-time" dateTime={doc.createdAt}>
        {formatTime(doc.createdAt, language)}
      </time>
    </div>
  );
}

function QueueList({ view, data }: { view: QueueViewId; data: PagedDocuments }) {
  const { t, i18n } = useTranslation();
  const total = data.total ?? 0;
  // The selection is a document, not a row number: a scan arriving on top must never make Enter
  // open a different document than the one highlighted. Its row is worked out while rendering, from
  // the same data the rows are drawn from, so what is highlighted is always what Enter opens (back
  // from a document, it is where it was, or on the next one if that one moved on).
  const [selection, setSelection] = useState<{ id: string | null; index: number }>(() => lastSelection.get(view) ?? { id: null, index: 0 });
  const scrollRef = useRef<HTMLDivElement>(null);
  const baseId = useId();
  const rowId = (index: number) => `${baseId}-row-${index}`;
  const found = selection.id ? data.indexOf(selection.id) : -1;
  const active = total === 0 ? 0 : Math.max(0, Math.min(total - 1, found >= 0 ? found : selection.index));
  const activeDoc = data.at(active);

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (total > 0) data.ensure(first, last);
  }, [first, last, total, data.ensure]);

  // Remember where the selection is (its document and row) for coming back to this view; a
  // selection without a document yet takes the one shown in its row once that row is loaded.
  useEffect(() => {
    const id = activeDoc?.id ?? selection.id;
    if (id !== selection.id || active !== selection.index) setSelection({ id, index: active });
    if (id) lastSelection.set(view, { id, index: active });
  }, [activeDoc?.id, active, selection.id, selection.index, view]);
  // Bring a remembered selection into view once the list knows its length.
  const scrolledOnce = useRef(false);
  useEffect(() => {
    if (scrolledOnce.current || total === 0) return;
    scrolledOnce.current = true;
    if (active > 0) virtualizer.scrollToIndex(Math.min(active, total - 1), { align: 'center' });
  }, [total, active, virtualizer]);

  const move = (to: number) => {
    const next = Math.max(0, Math.min(total - 1, to));
    setSelection({ id: data.at(next)?.id ?? null, index: next });
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };
  useTakeFocus(scrollRef, total > 0);
  const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (total === 0) return;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      PageDown: () => move(active + pageRows),
      PageUp: () => move(active - pageRows),
      Home: () => move(0),
      End: () => move(total - 1),
      // The highlighted document as drawn (never a re-read of rows that may have changed since).
      Enter: () => {
        if (activeDoc) navigate(`/document/${encodeURIComponent(activeDoc.id)}`);
      },
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  if (data.error && data.total === undefined) {
    return (
      <p className="notice notice--error" role="alert">
        {t('queue.loadFailed')} {errorText(t, data.error)}
      </p>
    );
  }
  if (data.total === undefined) return <p className="muted" role="status">{t('shell.common.loading')}</p>;
  if (total === 0) {
    return (
      <div className="empty-state" data-empty={view}>
        <p>{t(`queue.empty.${view}`)}</p>
      </div>
    );
  }

  return (
    <>
      <p className="sr-only" id={`${baseId}-hint`}>
        {t('queue.keyboardHint')}
      </p>
      <div
        ref={scrollRef}
        className="queue-list"
        role="listbox"
        tabIndex={0}
        aria-label={t('queue.listLabel', { view: t(`queue.title.${view}`) })}
        aria-describedby={`${baseId}-hint`}
        aria-activedescendant={rowId(active)}
        onKeyDown={onKeyDown}
        data-total={total}
      >
        <div className="queue-list-inner" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => (
            <div key={item.key} className="queue-row-slot" style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }} onMouseDown={() => setSelection({ id: data.at(item.index)?.id ?? null, index: item.index })}>
              <QueueRow doc={data.at(item.index)} index={item.index} active={item.index === active} rowId={rowId(item.index)} language={i18n.language} />
            </div>
          ))}
        </div>
      </div>
    </>
  );
}

export function QueueScreen({ params }: ScreenProps) {
  const { t } = useTranslation();
  const view = params.view ?? 'needs_review';
  if (!isQueueView(view)) {
    return (
      <section className="screen">
        <p className="notice">{t('queue.unknownView')}</p>
      </section>
    );
  }
  return <QueueView key={view} view={view} />;
}

function QueueView({ view }: { view: QueueViewId }) {
  const { t } = useTranslation();
  const data = usePagedDocuments(view);
  // A document opened from here returns here (back, Escape, after "assign and send").
  useEffect(() => rememberListPath(`/queue/${view}`), [view]);
  return (
    <section className="screen screen--queue" aria-labelledby="queue-title">
      <header className="screen-header">
        <h1 id="queue-title">{t(`queue.title.${view}`)}</h1>
        {data.total !== undefined && (
          <span className="screen-count" data-count={data.total} aria-live="polite">
            {t('queue.count', { count: data.total, n: formatCount(data.total) })}
          </span>
        )}
        {view === 'needs_review' && <BatchProgress />}
      </header>
      <QueueList view={view} data={data} />
    </section>
  );
}

/** While scans are being processed: how far, beside the title of the view they will land in. */
function BatchProgress() {
  const { t } = useTranslation();
  const { progress } = useStationStatus();
  if (!progress || progress.pagesTotal <= progress.pagesDone) return null;
  return (
    <span className="queue-progress" data-progress={`${progress.pagesDone}/${progress.pagesTotal}`}>
      <progress max={progress.pagesTotal} value={progress.pagesDone} aria-label={t('queue.progressLabel')} />
      {t('queue.progress', { done: progress.pagesDone, total: progress.pagesTotal })}
    </span>
  );
}

export const queueScreens: ScreenDefinition[] = [
  { id: 'queue', pattern: '/queue/:view', component: QueueScreen },
  { id: 'queue', pattern: '/queue', component: QueueScreen },
  { id: 'queue', pattern: '/', component: QueueScreen },
];
