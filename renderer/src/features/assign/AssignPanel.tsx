/**
 * Assigning a document at the desk, keyboard first: type part of a name, a customer or BG number
 * or a birth date; arrows choose; Enter takes the customer and moves on to the document type, Enter
 * again to the note, Enter again to "assign and send". Ctrl+Enter anywhere assigns and queues for
 * sending at once. Recently used customers come first when nothing is typed.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerSummaryView } from '../../../../preload/contract/customers';
import type { DocumentDetailView } from '../../../../preload/contract/documents';
import { callStation, useStationQuery } from '../../hooks/useStation';
import { errorText } from '../../i18n';

export interface AssignPanelProps {
  detail: DocumentDetailView;
  /** After a successful assignment (`send`: it was queued for sending). */
  onAssigned: (detail: DocumentDetailView, send: boolean) => void;
}

function formatBirthDate(iso: string | null, language: string): string | null {
  if (!iso) return null;
  const [y, m, d] = iso.split('-');
  if (!y || !m || !d) return iso;
  return language === 'en' ? `${d}/${m}/${y}` : `${d}.${m}.${y}`;
}

function CustomerLine({ customer }: { customer: CustomerSummaryView }) {
  const { t, i18n } = useTranslation();
  const born = formatBirthDate(customer.birthDate, i18n.language);
  return (
    <>
      <span className="assign-name">{customer.name}</span>
      <span className="assign-meta">
        {t('assign.customerNumber', { number: customer.customerNumber })}
        {customer.bgNumber && ` · ${t('assign.bgNumber', { number: customer.bgNumber })}`}
        {born && ` · ${t('assign.born', { date: born })}`}
      </span>
    </>
  );
}

export function AssignPanel({ detail, onAssigned }: AssignPanelProps) {
  const { t } = useTranslation();
  const baseId = useId();
  const [query, setQuery] = useState('');
  // The highlighted customer, by id: when the answer to what was typed replaces the list shown
  // meanwhile, the highlight stays on that customer if the new list has them, else goes to the first.
  const [highlightId, setHighlightId] = useState<string | null>(null);
  const [chosen, setChosen] = useState<CustomerSummaryView | null>(null);
  const [documentType, setDocumentType] = useState<string>('');
  const [note, setNote] = useState(detail.note ?? '');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const typeRef = useRef<HTMLSelectElement>(null);
  const noteRef = useRef<HTMLInputElement>(null);
  const sendRef = useRef<HTMLButtonElement>(null);

  const types = useStationQuery('listDocumentTypes', {}, [], { events: [] });
  const results = useStationQuery('searchCustomers', { query, limit: 8 }, [query], { events: ['customers-changed'] });
  const current = useStationQuery('getCustomer', { id: detail.customerId ?? '' }, [detail.customerId], { enabled: !!detail.customerId, events: [] });
  const items = results.data?.items ?? [];
  // While a newer answer is on its way the list shows the last one; Enter must never take a
  // customer from a list that belongs to an older query, so it waits for the fresh one.
  const resultsFresh = results.dataFor?.query === query;
  const highlightFound = highlightId === null ? -1 : items.findIndex((customer) => customer.id === highlightId);
  const highlight = Math.max(0, highlightFound);
  const setHighlight = (index: number) => setHighlightId(items[Math.max(0, Math.min(items.length - 1, index))]?.id ?? null);
  const [chooseWhenFresh, setChooseWhenFresh] = useState(false);

  // The document's own type when it is a configured one, else the configured default.
  useEffect(() => {
    if (!types.data || documentType) return;
    setDocumentType(detail.documentType && types.data.items.includes(detail.documentType) ? detail.documentType : types.data.defaultType);
  }, [types.data, detail.documentType, documentType]);

  useEffect(() => {
    if (current.data && !chosen) setChosen(current.data);
  }, [current.data]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => setHighlightId(null), [query]);

  useEffect(() => {
    if (!chooseWhenFresh || !resultsFresh) return;
    setChooseWhenFresh(false);
    if (items.length > 0) choose(items[highlight]);
    else setMessage({ text: t('assign.noResults'), error: true });
  }, [chooseWhenFresh, resultsFresh]); // eslint-disable-line react-hooks/exhaustive-deps

  const choose = (customer: CustomerSummaryView | undefined) => {
    if (!customer) return;
    setChosen(customer);
    setMessage(null);
    typeRef.current?.focus();
  };

  const submit = async (send: boolean) => {
    if (busy || !detail.editable) return;
    if (!chosen && query.trim() && !resultsFresh) {
      setMessage({ text: t('assign.searching') });
      return;
    }
    const customer = chosen ?? (query.trim() ? items[highlight] : undefined);
    if (!customer) {
      setMessage({ text: t('assign.chooseCustomer'), error: true });
      searchRef.current?.focus();
      return;
    }
    setChosen(customer);
    setBusy(true);
    setMessage({ text: t('assign.working') });
    const result = await callStation('assignDocument', {
      id: detail.id,
      customerId: customer.id,
      documentType: documentType || types.data?.defaultType || '',
      note: note.trim() ? note.trim() : undefined,
      send,
    });
    setBusy(false);
    if (!result.ok) {
      setMessage({ text: errorText(t, result), error: true });
      return;
    }
    setMessage({ text: send ? t('assign.queued') : t('assign.assigned') });
    onAssigned(result.value, send);
  };

  // Ctrl+Enter assigns and sends from anywhere on the document screen.
  const submitRef = useRef(submit);
  submitRef.current = submit;
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void submitRef.current(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.ctrlKey || event.metaKey) return;
    const keys: Record<string, () => void> = {
      ArrowDown: () => setHighlight(highlight + 1),
      ArrowUp: () => setHighlight(highlight - 1),
      Enter: () => (resultsFresh ? choose(items[highlight]) : setChooseWhenFresh(true)),
      // Escape clears the search; on an empty one it goes back to the pages.
      Escape: () => (query ? setQuery('') : document.querySelector<HTMLElement>('[data-page-strip]')?.focus()),
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      event.stopPropagation();
      action();
    }
  };

  const nextOnEnter = (target: { current: HTMLElement | null }) => (event: KeyboardEvent<HTMLElement>) => {
    if (event.key !== 'Enter' || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    event.stopPropagation();
    target.current?.focus();
  };

  const listId = `${baseId}-results`;
  const optionId = (i: number) => `${baseId}-option-${i}`;
  // Not disabled while an assignment runs (submit ignores repeats): disabling the focused field or
  // button would drop the keyboard user's focus to the page body.
  const disabled = !detail.editable;

  return (
    <section className="assign-panel" aria-labelledby={`${baseId}-heading`} data-assign>
      <h2 id={`${baseId}-heading`}>{t('assign.heading')}</h2>
      {detail.customerId && current.data && (
        <p className="muted assign-current">{t('assign.current', { customer: current.data.name, type: detail.documentType ?? '—' })}</p>
      )}
      <label className="field" htmlFor={`${baseId}-search`}>
        <span>{t('assign.customer')}</span>
        <input
          ref={searchRef}
          id={`${baseId}-search`}
          className="input"
          type="search"
          role="combobox"
          aria-expanded={items.length > 0}
          aria-controls={listId}
          aria-activedescendant={items.length ? optionId(highlight) : undefined}
          aria-describedby={`${baseId}-hint`}
          autoComplete="off"
          spellCheck={false}
          placeholder={t('assign.searchPlaceholder')}
          value={query}
          disabled={disabled}
          onChange={(event) => {
            setQuery(event.target.value);
            setChooseWhenFresh(false);
          }}
          onKeyDown={onSearchKey}
          data-customer-search
        />
      </label>
      <p id={`${baseId}-hint`} className="sr-only">
        {t('assign.searchHint')}
      </p>
      <div className="assign-results-label muted">{query.trim() ? t('assign.results') : t('assign.recent')}</div>
      <ul
        id={listId}
        className="assign-results"
        role="listbox"
        aria-label={t('assign.results')}
        aria-busy={!resultsFresh}
        data-results-for={results.dataFor?.query}
      >
        {items.map((customer, i) => (
          <li
            key={customer.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === highlight}
            className={'assign-option' + (i === highlight ? ' is-active' : '') + (chosen?.id === customer.id ? ' is-chosen' : '')}
            data-customer-id={customer.id}
            onMouseDown={(event) => {
              event.preventDefault();
              setHighlight(i);
              choose(customer);
            }}
          >
            <CustomerLine customer={customer} />
          </li>
        ))}
        {query.trim() && resultsFresh && items.length === 0 && <li className="muted assign-empty">{t('assign.noResults')}</li>}
      </ul>
      {chosen && (
        <p className="assign-chosen" data-chosen-customer={chosen.id} role="status">
          <span aria-hidden="true">✓ </span>
          {t('assign.chosen', { name: chosen.name })}
        </p>
      )}
      <label className="field" htmlFor={`${baseId}-type`}>
        <span>{t('assign.documentType')}</span>
        <select
          ref={typeRef}
          id={`${baseId}-type`}
          className="input"
          value={documentType}
          disabled={disabled}
          onChange={(event) => setDocumentType(event.target.value)}
          onKeyDown={nextOnEnter(noteRef)}
          data-document-type
        >
          {(types.data?.items ?? []).map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </label>
      <label className="field" htmlFor={`${baseId}-note`}>
        <span>{t('assign.note')}</span>
        <input
          ref={noteRef}
          id={`${baseId}-note`}
          className="input"
          type="text"
          maxLength={500}
          placeholder={t('assign.notePlaceholder')}
          value={note}
          disabled={disabled}
          onChange={(event) => setNote(event.target.value)}
          onKeyDown={nextOnEnter(sendRef)}
          data-note
        />
      </label>
      <div className="assign-actions">
        <button type="button" className="button" disabled={disabled} onClick={() => void submit(false)} data-action="assign">
          {t('assign.assign')}
        </button>
        <button ref={sendRef} type="button" className="button button--primary" disabled={disabled} onClick={() => void submit(true)} data-action="assign-send">
          {t('assign.assignAndSend')} <kbd>{t('assign.sendShortcut')}</kbd>
        </button>
      </div>
      <div className="message-slot" aria-live="polite">
        {message && <p className={'notice' + (message.error ? ' notice--error' : '')}>{message.text}</p>}
      </div>
    </section>
  );
}

/** Moves focus to the customer search (the document screen's "A" key). */
export function focusCustomerSearch(): void {
  document.querySelector<HTMLInputElement>('[data-customer-search]')?.focus();
}
