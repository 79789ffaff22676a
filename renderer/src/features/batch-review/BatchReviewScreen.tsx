/**
 * Mailroom batches: the list of batches (#/batches) and one batch's review (#/batch/<id>): its
 * documents with page counts, how each was split off and assigned, and a flag with words on every
 * uncertain case. Keyboard first: arrows select, Enter opens the document view (split, merge,
 * assign), Alt+S sends the batch's ready documents. While the batch is processed a progress bar
 * shows the pages done and the time left (from the station's progress events).
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { BatchDocumentView, BatchFlagView, MailroomBatchView } from '../../../../preload/contract/mailroom';
import { callStation, useStationEvents, useStationQuery } from '../../hooks/useStation';
import { errorText } from '../../i18n';
import { useListSelection } from '../../hooks/useListSelection';
import { useTakeFocus } from '../../hooks/useTakeFocus';
import { href, navigate, rememberListPath, type ScreenDefinition, type ScreenProps } from '../../routes';

type Progress = { pagesDone: number; pagesTotal: number; etaSeconds: number | null };

function formatDate(iso: string, language: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(language === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'medium', timeStyle: 'short' });
}

function etaText(t: TFunction, seconds: number | null): string | null {
  if (seconds === null || seconds <= 0) return null;
  const time = seconds < 90 ? t('batchReview.seconds', { count: seconds }) : t('batchReview.minutes', { count: Math.round(seconds / 60) });
  return t('batchReview.eta', { time });
}

export function flagWords(t: TFunction, flag: BatchFlagView): string {
  return t(`batchReview.flag.${flag.code}`, { customerNumber: flag.customerNumber ?? '', expected: flag.expected, actual: flag.actual, pages: flag.pages?.join(', ') ?? '' });
}

function ProgressBar({ progress }: { progress: Progress }) {
  const { t } = useTranslation();
  const eta = etaText(t, progress.etaSeconds);
  return (
    <div className="batch-progress" data-progress={`${progress.pagesDone}/${progress.pagesTotal}`} role="status" style={{ display: 'flex', alignItems: 'center', gap: 12, margin: '0 0 12px' }}>
      <progress max={Math.max(1, progress.pagesTotal)} value={progress.pagesDone} aria-label={t('batchReview.progressLabel')} style={{ width: 240 }} />
      <span>{t('batchReview.progress', { done: progress.pagesDone, total: progress.pagesTotal })}</span>
      {eta && <span className="muted">{eta}</span>}
    </div>
  );
}

function DocumentRow({ doc, active, onPick }: { doc: BatchDocumentView; active: boolean; onPick: () => void }) {
  const { t } = useTranslation();
  const by = doc.assignment.by ?? 'none';
  return (
    <div
      id={`batch-doc-${doc.id}`}
      role="option"
      aria-selected={active}
      className={'queue-row batch-row' + (active ? ' is-active' : '')}
      data-document-id={doc.id}
      data-state={doc.state}
      data-flags={doc.flags.map((f) => f.code).join(' ')}
      onMouseDown={onPick}
      onDoubleClick={() => navigate(`/document/${encodeURIComponent(doc.id)}`)}
      style={{ display: 'grid', gridTemplateColumns: '3em 1.4fr 1fr 1.2fr 2fr', gap: 12, height: 'auto', padding: '8px 12px', alignItems: 'start', borderBottom: '1px solid var(--line, #e3e6ea)', cursor: 'default' }}
    >
      <span className="muted" style={{ fontVariantNumeric: 'tabular-nums' }}>{doc.seq}</span>
      <span>
        <a href={href('document', doc.id)} tabIndex={-1}>{doc.title}</a>
        <br />
        <span className="muted">
          {t('batchReview.pages', { count: doc.pageCount })}
          {doc.expectedPages !== null && ` · ${t('batchReview.expected', { count: doc.expectedPages })}`}
          {doc.removedPages > 0 && ` · ${t('batchReview.removed', { count: doc.removedPages })}`}
        </span>
      </span>
      <span data-split={doc.split.reason}>
        {t(`batchReview.reason.${doc.split.reason}`)}
        {doc.split.atBatchPage !== null && (
          <>
            <br />
            <span className="muted">{t('batchReview.atPage', { page: doc.split.atBatchPage })}</span>
          </>
        )}
      </span>
      <span data-assigned={by}>
        {t(`batchReview.assigned.${by}`)}
        {doc.assignment.customerNumber && (
          <>
            <br />
            <span>{t('batchReview.customerNumber', { number: doc.assignment.customerNumber })}</span>
          </>
        )}
        {doc.assignment.rule && by === 'barcode' && (
          <>
            <br />
            <span className="muted" title={doc.assignment.barcodeText ?? ''}>{t('batchReview.rule', { rule: doc.assignment.rule })}</span>
          </>
        )}
        {doc.assignment.documentType && (
          <>
            <br />
            <span className="muted">{doc.assignment.documentType}</span>
          </>
        )}
      </span>
      <span style={{ display: 'flex', flexDirection: 'column', gap: 4, alignItems: 'flex-start' }}>
        <span className={`badge${doc.state === 'error' ? ' badge--error' : doc.state === 'processing' ? ' badge--processing' : ''}`}>{t(`batchReview.state.${doc.state}`)}</span>
        {doc.flags.length === 0 ? (
          <span className="muted">✓ {t('batchReview.noFlags')}</span>
        ) : (
          doc.flags.map((flag, i) => (
            <span key={`${flag.code}-${i}`} className="badge badge--flag batch-flag" data-flag={flag.code} style={{ whiteSpace: 'normal' }}>
              <span aria-hidden="true">⚠ </span>
              {flagWords(t, flag)}
            </span>
          ))
        )}
      </span>
    </div>
  );
}

export function BatchReviewScreen({ params }: ScreenProps) {
  const { t, i18n } = useTranslation();
  const batchId = params.id ?? '';
  const review = useStationQuery('getBatchReview', { batchId }, [batchId], { events: ['documents-changed', 'customers-changed'] });
  const [progress, setProgress] = useState<Progress | null>(null);
  // A document opened from this batch returns to it.
  useEffect(() => rememberListPath(`/batch/${encodeURIComponent(batchId)}`), [batchId]);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const [sending, setSending] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);

  useStationEvents((event) => {
    if (event.type !== 'progress' || event.batchId !== batchId) return;
    setProgress({ pagesDone: event.pagesDone, pagesTotal: event.pagesTotal, etaSeconds: event.etaSeconds });
    if (event.pagesDone >= event.pagesTotal) review.reload();
  });

  const documents = review.data?.documents ?? [];
  const batch = review.data?.batch;
  // By document, not by row: a split or merge while the list is open never moves Enter to another.
  const selection = useListSelection(documents, (doc) => doc.id, `batch:${batchId}`);
  const active = selection.index;
  const shown: Progress | null = progress && progress.pagesDone < progress.pagesTotal ? progress : batch?.status === 'processing' ? (batch.progress ?? progress) : null;

  useEffect(() => {
    if (review.data) listRef.current?.focus({ preventScroll: true });
  }, [review.data === undefined]); // eslint-disable-line react-hooks/exhaustive-deps

  const sendBatch = async () => {
    if (sending) return;
    setSending(true);
    const result = await callStation('sendBatch', { batchId });
    setSending(false);
    if (!result.ok) {
      setMessage({ text: errorText(t, result), error: true });
      return;
    }
    const parts = [result.value.queued > 0 ? t('batchReview.sent', { count: result.value.queued }) : t('batchReview.nothingReady')];
    if (result.value.notReady > 0) parts.push(t('batchReview.notReady', { count: result.value.notReady }));
    setMessage({ text: parts.join(' ') });
    review.reload();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.altKey && (event.key === 's' || event.key === 'S')) {
      event.preventDefault();
      void sendBatch();
      return;
    }
    if (documents.length === 0) return;
    const move = (to: number) => {
      const next = selection.select(to);
      document.getElementById(`batch-doc-${documents[next]!.id}`)?.scrollIntoView({ block: 'nearest' });
    };
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      Home: () => move(0),
      End: () => move(documents.length - 1),
      PageDown: () => move(active + 10),
      PageUp: () => move(active - 10),
      Enter: () => selection.item && navigate(`/document/${encodeURIComponent(selection.item.id)}`),
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  if (review.error && !review.data) {
    return (
      <section className="screen">
        <p className="notice notice--error" role="alert">
          {t('batchReview.loadFailed')} {errorText(t, review.error)}
        </p>
        <a className="button" href="#/batches">{t('batchReview.back')}</a>
      </section>
    );
  }
  if (!batch) return <section className="screen"><p className="muted" role="status">{t('shell.common.loading')}</p></section>;

  const readyCount = documents.filter((d) => d.state === 'ready').length;
  return (
    <section className="screen screen--batch" aria-labelledby="batch-title" data-batch-status={batch.status} onKeyDown={onKeyDown}>
      <header className="screen-header">
        <h1 id="batch-title">{t('batchReview.title', { date: formatDate(batch.openedAt, i18n.language) })}</h1>
        <span className="screen-count" aria-live="polite">
          {t(`batchReview.status.${batch.status}`)} · {t('batchReview.summary', { documents: batch.documents, pages: batch.pages, flagged: batch.flagged, ready: readyCount })}
        </span>
        <span style={{ marginLeft: 'auto', display: 'flex', gap: 8 }}>
          <a className="button button--quiet" href="#/batches">{t('batchReview.back')}</a>
          <button type="button" className="button" onClick={() => void sendBatch()} disabled={sending || readyCount === 0} aria-keyshortcuts="Alt+S" data-action="send-batch">
            {sending ? t('batchReview.sending') : t('batchReview.send')}
          </button>
        </span>
      </header>
      {shown && <ProgressBar progress={shown} />}
      {message && (
        <p className={'notice' + (message.error ? ' notice--error' : '')} role={message.error ? 'alert' : 'status'} data-send-result>
          {message.text}
        </p>
      )}
      <p className="screen-intro" id="batch-hint">{t('batchReview.keyboardHint')}</p>
      <div
        ref={listRef}
        className="batch-list"
        role="listbox"
        tabIndex={0}
        aria-label={t('batchReview.listOfDocuments')}
        aria-describedby="batch-hint"
        aria-activedescendant={documents[active] ? `batch-doc-${documents[active]!.id}` : undefined}
        style={{ overflow: 'auto', flex: 1, minHeight: 0 }}
      >
        {documents.map((doc, index) => (
          <DocumentRow key={doc.id} doc={doc} active={index === active} onPick={() => selection.select(index)} />
        ))}
      </div>
    </section>
  );
}

export function BatchListScreen() {
  const { t, i18n } = useTranslation();
  const list = useStationQuery('listBatches', { limit: 100 }, [], { events: (event) => event.type === 'documents-changed' || (event.type === 'progress' && event.pagesDone >= event.pagesTotal) });
  const [progress, setProgress] = useState<Record<string, Progress>>({});
  useStationEvents((event) => {
    if (event.type === 'progress' && event.batchId) setProgress((all) => ({ ...all, [event.batchId!]: event }));
  });
  const items: MailroomBatchView[] = list.data?.items ?? [];
  // Newest first: a batch arriving on top must not move the selection (and Enter) to it.
  const selection = useListSelection(items, (batch) => batch.id, 'batches');
  const active = selection.index;
  const listRef = useRef<HTMLDivElement>(null);
  useTakeFocus(listRef, items.length > 0);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (items.length === 0) return;
    const move = (to: number) => void selection.select(to);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      Home: () => move(0),
      End: () => move(items.length - 1),
      Enter: () => selection.item && navigate(`/batch/${encodeURIComponent(selection.item.id)}`),
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  return (
    <section className="screen" aria-labelledby="batches-title">
      <header className="screen-header">
        <h1 id="batches-title">{t('batchReview.listTitle')}</h1>
      </header>
      {list.error && <p className="notice notice--error" role="alert">{errorText(t, list.error)}</p>}
      {list.data && items.length === 0 && <p className="empty-state">{t('batchReview.listEmpty')}</p>}
      {items.length > 0 && (
        <div ref={listRef} role="listbox" tabIndex={0} aria-label={t('batchReview.listLabel')} onKeyDown={onKeyDown} aria-activedescendant={`batch-${items[active]?.id}`} className="batch-list">
          {items.map((batch, index) => {
            const live = progress[batch.id] ?? batch.progress;
            return (
              <div
                key={batch.id}
                id={`batch-${batch.id}`}
                role="option"
                aria-selected={index === active}
                className={'queue-row' + (index === active ? ' is-active' : '')}
                data-batch-id={batch.id}
                onMouseDown={() => selection.select(index)}
                onDoubleClick={() => navigate(`/batch/${encodeURIComponent(batch.id)}`)}
                style={{ display: 'flex', gap: 16, height: 'auto', padding: '8px 12px', alignItems: 'center' }}
              >
                <a href={href('batch', batch.id)} tabIndex={-1}>{formatDate(batch.openedAt, i18n.language)}</a>
                <span className="muted">{batch.profileName}</span>
                <span className="badge">{t(`batchReview.status.${batch.status}`)}</span>
                <span>{t('batchReview.summary', { documents: batch.documents, pages: batch.pages, flagged: batch.flagged, ready: batch.ready })}</span>
                {batch.status === 'processing' && live && <ProgressBar progress={live} />}
              </div>
            );
          })}
        </div>
      )}
    </section>
  );
}

export const batchReviewScreens: ScreenDefinition[] = [
  { id: 'batches', pattern: '/batches', component: BatchListScreen },
  { id: 'batch', pattern: '/batch/:id', component: BatchReviewScreen },
];
