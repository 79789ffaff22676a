/**
 * The document view (#/document/<id>): thumbnails, the chosen page large (zoom), page edits and the
 * assignment panel. Every edit is one call; the station answers with the document as it now is and
 * rebuilds the PDF in the background. Pages are shown from the kept image, turned on screen the way
 * the PDF turns them, so a turn shows at once. Everything works from the keyboard (see keyboardHint).
 */
import { useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type DragEvent, type KeyboardEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { DocumentDetailView, DocumentPageView } from '../../../../preload/contract/documents';
import type { OperationName } from '../../../../preload/contract/index';
import { callStation, nextSequence, useStationQuery } from '../../hooks/useStation';
import { errorText } from '../../i18n';
import { listPathToReturnTo, navigate, type ScreenDefinition, type ScreenProps } from '../../routes';
import { AssignPanel, focusCustomerSearch } from '../assign/AssignPanel';
import { documentErrorWords, TechnicalDetails } from '../queue/document-error';
import './document.css';

const ZOOMS = [1, 1.5, 2, 3, 4];
const FINE_STEP = 0.5;

/** The turn the screen applies to the kept image: the clean-up's plus staff's. */
export function displayTurn(page: DocumentPageView): number {
  return page.imageTurnDegrees + page.turnDegrees + page.fineDegrees;
}

/** The page box as the PDF shows it (staff quarter turns swap its sides). */
function pageBox(page: DocumentPageView): { width: number; height: number } {
  return page.turnDegrees % 180 === 90 ? { width: page.height, height: page.width } : { width: page.width, height: page.height };
}

/** The kept image centred in the page box and turned; sizes in % of the box so one style fits thumbnails and the large view. */
function imageStyle(page: DocumentPageView): CSSProperties {
  const box = pageBox(page);
  return {
    width: `${(page.imageWidth / box.width) * 100}%`,
    height: `${(page.imageHeight / box.height) * 100}%`,
    transform: `translate(-50%, -50%) rotate(${displayTurn(page)}deg)`,
  };
}

/**
 * The page box in pixels for the large view: the whole page fits the view at zoom 1 whichever way
 * it is turned (a turned A4 page is landscape), and grows from there. Whole pixels, so a fitting
 * page never brings scroll bars.
 */
export function fittedSize(page: DocumentPageView, room: { width: number; height: number }, zoom: number): { width: number; height: number } {
  const box = pageBox(page);
  const scale = Math.max(0, Math.min(room.width / box.width, room.height / box.height)) * zoom;
  return { width: Math.floor(box.width * scale), height: Math.floor(box.height * scale) };
}

/** The inner size of an element (without padding), kept current as the window or layout changes. */
function useInnerSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const style = getComputedStyle(element);
      const width = element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const height = element.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      setSize((old) => (old.width === width && old.height === height ? old : { width, height }));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

/** The large view: the page fitted to the view at every turn, zoom grows it (scrolls from its top-left corner). */
function PageView({ page, zoom, alt }: { page: DocumentPageView; zoom: number; alt: string }) {
  const viewRef = useRef<HTMLDivElement>(null);
  const room = useInnerSize(viewRef);
  const size = fittedSize(page, room, zoom);
  return (
    <div ref={viewRef} className="page-view" data-zoom={zoom}>
      {size.width > 0 && size.height > 0 && (
        <div className="page-view-inner" data-page-id={page.id} data-turn={page.turnDegrees}>
          <PageImage page={page} src={page.imageUrl} alt={alt} size={size} />
        </div>
      )}
    </div>
  );
}

function PageImage({ page, src, alt, lazy = false, size }: { page: DocumentPageView; src: string; alt: string; lazy?: boolean; size?: { width: number; height: number } }) {
  const box = pageBox(page);
  return (
    <div className="page-box" style={{ aspectRatio: `${box.width} / ${box.height}`, ...(size ? { width: size.width, height: size.height } : {}) }}>
      <img className="page-img" src={src} alt={alt} style={imageStyle(page)} draggable={false} loading={lazy ? 'lazy' : 'eager'} />
    </div>
  );
}

function PageFlags({ page }: { page: DocumentPageView }) {
  const { t } = useTranslation();
  if (page.flags.length === 0 && !page.dropped) return null;
  return (
    <span className="page-flags">
      {page.flags.map((flag) => (
        <span key={flag} className="badge badge--flag" data-flag={flag}>
          ⚠ {t(`document.flag.${flag}`)}
        </span>
      ))}
      {page.dropped && <span className="badge" data-flag="dropped">{t('document.dropped')}</span>}
    </span>
  );
}

type EditName = 'rotatePage' | 'fineTurnPage' | 'deletePage' | 'movePage' | 'splitDocument' | 'mergeWithNext' | 'undoEdit';

export function DocumentScreen({ params }: ScreenProps) {
  const { t, i18n } = useTranslation();
  const id = params.id ?? '';
  const query = useStationQuery('getDocumentDetail', { id }, [id], {
    events: (event) => event.type === 'documents-changed' && event.ids.includes(id),
  });
  const [detail, setDetail] = useState<DocumentDetailView | undefined>(undefined);
  const [active, setActiveState] = useState(0);
  const [zoom, setZoom] = useState(0);
  const [message, setMessage] = useState<{ text: string; error?: boolean; splitId?: string } | null>(null);
  const [pending, setPending] = useState(0);
  const [fine, setFine] = useState<number | null>(null);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const stripRef = useRef<HTMLDivElement>(null);
  const fineTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // The document and page an edit acts on are read when it runs, not when its key was pressed:
  // edits run one after another, so "Delete, Delete" deletes two pages and "R, R" turns by 180°.
  const detailRef = useRef(detail);
  const activeRef = useRef(active);
  const edits = useRef<Promise<void>>(Promise.resolve());
  // When the shown document was known to be current (nextSequence()): an answer to a query asked
  // before an edit's answer came is older than that answer and must not put the page back.
  const shownAt = useRef(0);

  const show = (next: DocumentDetailView, at: number) => {
    shownAt.current = at;
    detailRef.current = next;
    setDetail(next);
  };
  const setActive = (index: number) => {
    activeRef.current = index;
    setActiveState(index);
  };

  useEffect(() => {
    if (query.data && query.dataAsked !== undefined && query.dataAsked > shownAt.current) show(query.data, query.dataAsked);
  }, [query.data, query.dataAsked]); // eslint-disable-line react-hooks/exhaustive-deps

  const pages = detail?.pages ?? [];
  const page = pages[Math.min(active, pages.length - 1)];
  useEffect(() => {
    if (active >= pages.length && pages.length > 0) setActive(pages.length - 1);
  }, [pages.length, active]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => setFine(null), [page?.id]);

  // The strip takes focus once the document is there, so the keys work at once.
  const loaded = detail !== undefined;
  useEffect(() => {
    if (loaded) stripRef.current?.focus({ preventScroll: true });
  }, [loaded]);

  /** The page selected now (for an edit that runs after earlier ones). */
  const currentPage = (): DocumentPageView | undefined => {
    const all = detailRef.current?.pages ?? [];
    return all[Math.min(activeRef.current, all.length - 1)];
  };

  /** Queues one edit; `input` is made when it runs (undefined: nothing to do any more). */
  const run = <N extends EditName>(name: N, input: () => Record<string, unknown> | undefined, done: string): Promise<void> => {
    setPending((n) => n + 1);
    const step = edits.current.then(async () => {
      const asked = input();
      if (!asked || !detailRef.current?.editable) return;
      const result = await callStation(name as OperationName, asked as never);
      if (!result.ok) {
        setMessage({ text: errorText(t, result), error: true });
        return;
      }
      const value = result.value as DocumentDetailView | { document: DocumentDetailView | null; newDocumentId?: string };
      const next = 'pages' in value ? value : value.document;
      if (!next) {
        navigate(listPathToReturnTo());
        return;
      }
      show(next, nextSequence());
      setMessage({ text: done, splitId: 'newDocumentId' in value ? value.newDocumentId : undefined });
    });
    edits.current = step.catch(() => undefined).finally(() => setPending((n) => n - 1));
    return edits.current;
  };

  const onPage = (make: (page: DocumentPageView) => Record<string, unknown>) => () => {
    const target = currentPage();
    return target ? make(target) : undefined;
  };

  const edit = {
    rotate: (degrees: 90 | 180 | 270) => run('rotatePage', onPage((p) => ({ id, pageId: p.id, degrees })), t('document.done.rotate_page')),
    remove: () => run('deletePage', onPage((p) => ({ id, pageId: p.id })), t('document.done.delete_page')),
    /** Moves the selected page by `by` places (the selection goes with it). */
    move: (by: number) =>
      run(
        'movePage',
        () => {
          const all = detailRef.current?.pages ?? [];
          const from = Math.min(activeRef.current, all.length - 1);
          const to = from + by;
          if (from < 0 || to < 0 || to >= all.length) return undefined;
          setActive(to);
          return { id, pageId: all[from]!.id, toIndex: to };
        },
        t('document.done.move_page'),
      ),
    split: () => run('splitDocument', onPage((p) => ({ id, pageId: p.id })), t('document.done.split_document')),
    merge: () => (detail?.nextDocumentId ? run('mergeWithNext', () => ({ id }), t('document.done.merge_documents')) : setMessage({ text: t('document.noNext'), error: true })),
    undo: () => run('undoEdit', () => ({ id }), t('document.done.undo')),
    fineTurn: (degrees: number) => {
      const value = Math.max(-20, Math.min(20, Math.round(degrees * 10) / 10));
      setFine(value);
      // A slider sends many values: the station gets the one it stops at, for the page it was on.
      const pageId = page?.id;
      clearTimeout(fineTimer.current);
      fineTimer.current = setTimeout(() => {
        if (pageId) void run('fineTurnPage', () => ({ id, pageId, degrees: value }), t('document.done.fine_turn_page'));
      }, 450);
    },
  };

  const onStripKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!detail || pages.length === 0) return;
    const ctrl = event.ctrlKey || event.metaKey;
    const select = (to: number) => setActive(Math.max(0, Math.min(pages.length - 1, to)));
    let action: (() => unknown) | undefined;
    if (event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowLeft')) action = () => edit.move(-1);
    else if (event.altKey && (event.key === 'ArrowDown' || event.key === 'ArrowRight')) action = () => edit.move(1);
    else if (ctrl && (event.key === 'z' || event.key === 'Z')) action = edit.undo;
    else if (!ctrl && !event.altKey) {
      const keys: Record<string, () => unknown> = {
        ArrowUp: () => select(active - 1),
        ArrowLeft: () => select(active - 1),
        ArrowDown: () => select(active + 1),
        ArrowRight: () => select(active + 1),
        Home: () => select(0),
        End: () => select(pages.length - 1),
        r: () => edit.rotate(90),
        R: () => edit.rotate(270),
        Delete: edit.remove,
        t: edit.split,
        T: edit.split,
        m: edit.merge,
        M: edit.merge,
        '+': () => setZoom((z) => Math.min(ZOOMS.length - 1, z + 1)),
        '-': () => setZoom((z) => Math.max(0, z - 1)),
        '0': () => setZoom(0),
        ']': () => edit.fineTurn((fine ?? page?.fineDegrees ?? 0) + FINE_STEP),
        '[': () => edit.fineTurn((fine ?? page?.fineDegrees ?? 0) - FINE_STEP),
        a: focusCustomerSearch,
        A: focusCustomerSearch,
        Escape: () => navigate(listPathToReturnTo()),
      };
      action = keys[event.key];
    }
    if (action) {
      event.preventDefault();
      void action();
    }
  };

  const onDrop = (to: number) => (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    const from = dragFrom;
    setDragFrom(null);
    if (from === null || from === to || !pages[from]) return;
    const pageId = pages[from]!.id;
    setActive(to);
    void run('movePage', () => ({ id, pageId, toIndex: to }), t('document.done.move_page'));
  };

  if (query.error && !detail) {
    return (
      <section className="screen">
        <p className="notice notice--error" role="alert">
          {query.error.code === 'not_found' ? t('document.gone') : `${t('document.loadFailed')} ${errorText(t, query.error)}`}
        </p>
        <a className="button" href={`#${listPathToReturnTo()}`}>
          {t('document.back')}
        </a>
      </section>
    );
  }
  if (!detail) {
    return (
      <section className="screen">
        <p className="muted" role="status">
          {t('shell.common.loading')}
        </p>
      </section>
    );
  }

  // Buttons stay enabled while edits run (they queue): disabling the focused one would drop the
  // keyboard user's focus to the page body.
  const editable = detail.editable;
  const hintId = `document-hint-${detail.id}`;
  const fineValue = fine ?? page?.fineDegrees ?? 0;
  const shownPage = page ? { ...page, fineDegrees: fineValue } : undefined;

  return (
    <section className="screen document-screen" data-document-id={detail.id} data-state={detail.state} data-building={detail.building ? 'yes' : 'no'}>
      <header className="screen-header document-header">
        <a className="button button--quiet" href={`#${listPathToReturnTo()}`} data-action="back">
          ← {t('document.back')}
        </a>
        <h1>{detail.title}</h1>
        <span className="screen-count" data-page-count={pages.length}>
          {t('document.pages', { count: pages.length })}
        </span>
        {detail.building && (
          <span className="badge badge--processing" role="status">
            {t('document.building')}
          </span>
        )}
      </header>
      {detail.state === 'error' ? <DocumentErrorPanel detail={detail} /> : !detail.editable && <p className="notice">{t('document.notEditable')}</p>}
      <div className="message-slot" aria-live="polite">
        {message && (
          <p className={'notice' + (message.error ? ' notice--error' : ' notice--ok')} data-message>
            {message.text}{' '}
            {message.splitId && (
              <a href={`#/document/${encodeURIComponent(message.splitId)}`} data-open-split>
                {t('document.openSplit')}
              </a>
            )}
          </p>
        )}
      </div>
      <p id={hintId} className="muted document-hint">
        {t('document.keyboardHint')}
      </p>
      <div className="document-layout">
        <div
          ref={stripRef}
          className="page-strip"
          role="listbox"
          tabIndex={0}
          aria-label={t('document.pagesLabel')}
          aria-describedby={hintId}
          aria-activedescendant={page ? `thumb-${page.id}` : undefined}
          onKeyDown={onStripKey}
          aria-busy={pending > 0}
          data-page-strip
        >
          {pages.map((p, i) => (
            <div
              key={p.id}
              id={`thumb-${p.id}`}
              role="option"
              aria-selected={i === active}
              aria-label={t('document.pageLabel', { n: i + 1 })}
              className={'thumb' + (i === active ? ' is-active' : '') + (p.dropped ? ' is-dropped' : '') + (dragFrom === i ? ' is-dragging' : '')}
              data-page-id={p.id}
              data-index={i}
              data-turn={p.turnDegrees}
              data-fine={p.fineDegrees}
              draggable={detail.editable}
              onMouseDown={() => setActive(i)}
              onDragStart={(event) => {
                setDragFrom(i);
                event.dataTransfer.effectAllowed = 'move';
                event.dataTransfer.setData('text/plain', p.id);
              }}
              onDragOver={(event) => event.preventDefault()}
              onDrop={onDrop(i)}
              onDragEnd={() => setDragFrom(null)}
            >
              <PageImage page={p} src={p.thumbUrl} alt="" lazy={i > 12} />
              <span className="thumb-number">{i + 1}</span>
              {p.flags.length > 0 && (
                <span className="thumb-flag" aria-hidden="true">
                  ⚠
                </span>
              )}
            </div>
          ))}
        </div>
        <div className="page-main">
          {shownPage && (
            <>
              <div className="page-toolbar" role="toolbar" aria-label={t('document.pageView', { n: active + 1, count: pages.length })}>
                <span className="page-toolbar-title">{t('document.pageView', { n: active + 1, count: pages.length })}</span>
                <button type="button" className="button" disabled={!editable} onClick={() => void edit.rotate(270)} title="Shift+R" data-action="rotate-left">
                  ⟲ {t('document.action.rotateLeft')}
                </button>
                <button type="button" className="button" disabled={!editable} onClick={() => void edit.rotate(90)} title="R" data-action="rotate-right">
                  ⟳ {t('document.action.rotateRight')}
                </button>
                <button type="button" className="button" disabled={!editable} onClick={() => void edit.rotate(180)} data-action="rotate-180">
                  {t('document.action.rotate180')}
                </button>
                <button type="button" className="button" disabled={!editable || active === 0} onClick={() => void edit.move(-1)} title="Alt+↑" data-action="move-up">
                  ↑ {t('document.action.moveUp')}
                </button>
                <button type="button" className="button" disabled={!editable || active >= pages.length - 1} onClick={() => void edit.move(1)} title="Alt+↓" data-action="move-down">
                  ↓ {t('document.action.moveDown')}
                </button>
                <button type="button" className="button" disabled={!editable || active === 0} onClick={() => void edit.split()} title="T" data-action="split">
                  ✂ {t('document.action.split')}
                </button>
                <button type="button" className="button" disabled={!editable || !detail.nextDocumentId} onClick={() => void edit.merge()} title="M" data-action="merge">
                  ⊕ {t('document.action.merge')}
                </button>
                <button type="button" className="button button--danger-quiet" disabled={!editable || pages.length < 2} onClick={() => void edit.remove()} title="Entf" data-action="delete">
                  ✕ {t('document.action.delete')}
                </button>
                <button type="button" className="button" disabled={!editable || !detail.undoAction} onClick={() => void edit.undo()} title="Strg+Z" data-action="undo">
                  ↶ {detail.undoAction ? t(`document.undoWhat.${detail.undoAction}`) : t('document.action.undo')}
                </button>
              </div>
              <div className="page-toolbar page-toolbar--secondary">
                <label className="fine-turn">
                  <span>{t('document.fineTurn')}</span>
                  <input
                    type="range"
                    min={-20}
                    max={20}
                    step={0.1}
                    value={fineValue}
                    disabled={!editable}
                    onChange={(event) => edit.fineTurn(Number(event.target.value))}
                    data-fine-turn
                  />
                  <output>{t('document.fineTurnValue', { value: fineValue.toLocaleString(i18n.language === 'en' ? 'en-GB' : 'de-DE') })}</output>
                </label>
                <span className="zoom-controls">
                  <button type="button" className="button button--quiet" onClick={() => setZoom((z) => Math.max(0, z - 1))} aria-label={t('document.action.zoomOut')}>
                    −
                  </button>
                  <span className="muted">{t('document.zoom', { percent: Math.round(ZOOMS[zoom]! * 100) })}</span>
                  <button type="button" className="button button--quiet" onClick={() => setZoom((z) => Math.min(ZOOMS.length - 1, z + 1))} aria-label={t('document.action.zoomIn')}>
                    +
                  </button>
                  <button type="button" className="button button--quiet" onClick={() => setZoom(0)}>
                    {t('document.action.zoomFit')}
                  </button>
                </span>
                <PageFlags page={shownPage} />
              </div>
              <PageView page={shownPage} zoom={ZOOMS[zoom]!} alt={t('document.pageLabel', { n: active + 1 })} />
            </>
          )}
        </div>
        <AssignPanel
          key={detail.id}
          detail={detail}
          onAssigned={(next, send) => {
            show(next, nextSequence());
            if (send) navigate(listPathToReturnTo());
          }}
        />
      </div>
    </section>
  );
}

/** Why the document is in "error", in words, and for a sending failure "send again" (the station no longer tries by itself). */
function DocumentErrorPanel({ detail }: { detail: DocumentDetailView }) {
  const { t } = useTranslation();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const retry = async () => {
    if (busy) return;
    setBusy(true);
    const result = await callStation('retrySend', { id: detail.id });
    setBusy(false);
    if (!result.ok) {
      setMessage(errorText(t, result));
      return;
    }
    // Back to the list it came from: this document is on its way again, the next one waits there.
    navigate(listPathToReturnTo());
  };
  return (
    <div className="notice notice--error document-error" role="alert" data-document-error={detail.sendErrorCode ?? 'processing'}>
      <p>
        <strong>{t(detail.sendErrorCode ? 'document.error.sendStopped' : 'document.error.heading')}</strong> {documentErrorWords(t, detail)}
        {detail.sendErrorCode && <span className="error-code"> ({t('queue.errorCode', { code: detail.sendErrorCode })})</span>}
      </p>
      {detail.sendErrorCode && (
        <p className="document-error-actions">
          <button type="button" className="button" onClick={() => void retry()} aria-disabled={busy} data-action="retry-send">
            {t('document.error.retry')}
          </button>
          <span>{t('document.error.retryHint')}</span>
        </p>
      )}
      {message && <p data-message>{message}</p>}
      <TechnicalDetails text={detail.error} />
    </div>
  );
}

export const documentScreens: ScreenDefinition[] = [{ id: 'document', pattern: '/document/:id', component: DocumentScreen }];
