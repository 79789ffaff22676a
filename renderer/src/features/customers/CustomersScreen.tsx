/**
 * "Kunden": the customer directory on this station: its status, CSV import (bad rows listed by
 * line), sync now, and a search box to try the search the assign panel uses.
 */
import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerImportReportView, CustomerSyncView } from '../../../../preload/contract/customers';
import i18next from 'i18next';
import { errorText, formatCount } from '../../i18n';
import { callStation, useStationQuery, type StationError } from '../../hooks/useStation';
import type { ScreenDefinition } from '../../routes';

/** What one call may carry (IPC and browser mode take 1 MB): larger files go in parts of this size. */
const PART_BYTES = 512 * 1024;
const MAX_FILE_BYTES = 64 * 1024 * 1024;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function formatWhen(iso: string | null | undefined, language: string): string | null {
  if (!iso) return null;
  return new Date(iso).toLocaleString(language === 'en' ? 'en-GB' : 'de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** ISO birth date as staff read it: 01.02.1980. */
function germanDate(iso: string | null): string {
  return iso ? `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}` : '—';
}

const ENCODINGS: Record<CustomerImportReportView['encoding'], string> = { 'utf-8': 'UTF-8', 'utf-8-bom': 'UTF-8 (BOM)', 'utf-16le': 'UTF-16', 'windows-1252': 'Windows-1252' };

type Message = { tone: 'ok' | 'error'; text: string } | null;

function StatusPanel() {
  const { t, i18n } = useTranslation();
  const status = useStationQuery('getDirectoryStatus', {}, [], { events: ['customers-changed'] });
  const s = status.data;
  if (!s) return status.error ? <p className="notice notice--error">{errorText(t, status.error)}</p> : <p className="muted">{t('shell.common.loading')}</p>;
  return (
    <section aria-labelledby="customers-status" data-directory-status data-count={s.count}>
      <h2 id="customers-status" style={{ fontSize: 16 }}>{t('customers.status.heading')}</h2>
      <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '4px 16px', margin: '0 0 16px' }}>
        <dt className="muted">{t('customers.title')}</dt>
        <dd style={{ margin: 0 }}>{t('customers.count', { count: s.count, n: formatCount(s.count) })}</dd>
        <dt className="muted">{t('customers.status.lastImport')}</dt>
        <dd style={{ margin: 0 }}>
          {s.lastImport
            ? t('customers.status.lastImportValue', { when: formatWhen(s.lastImport.at, i18n.language), file: s.lastImport.fileName, imported: s.lastImport.imported, updated: s.lastImport.updated, skipped: s.lastImport.skipped })
            : t('customers.status.never')}
        </dd>
        <dt className="muted">{t('customers.status.lastSync')}</dt>
        <dd style={{ margin: 0 }}>
          {s.syncConfigured
            ? `${formatWhen(s.lastSyncAt, i18n.language) ?? t('customers.status.never')} (${t('customers.status.syncEvery', { minutes: s.syncIntervalMinutes })})${s.syncing ? ` · ${t('customers.status.syncing')}` : ''}`
            : t('customers.status.syncOff')}
        </dd>
        {s.lastError && (
          <>
            <dt className="muted">{t('customers.status.lastError')}</dt>
            <dd style={{ margin: 0 }} data-last-error={s.lastError.source}>
              {t(`customers.status.errorSource.${s.lastError.source}`)}, {formatWhen(s.lastError.at, i18n.language)}: {s.lastError.message}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

function ImportReport({ report }: { report: CustomerImportReportView }) {
  const { t } = useTranslation();
  return (
    <div data-import-report data-imported={report.imported} data-skipped={report.skipped}>
      <p className="notice notice--ok" role="status">
        {t('customers.import.done', { imported: report.imported, updated: report.updated, unchanged: report.unchanged, skipped: report.skipped })}{' '}
        {t('customers.import.readAs', { encoding: ENCODINGS[report.encoding], delimiter: t(`customers.import.delimiter.${report.delimiter}`) })}
      </p>
      {report.ignoredColumns.length > 0 && <p className="muted">{t('customers.import.ignored', { columns: report.ignoredColumns.join(', ') })}</p>}
      {report.errors.length > 0 && (
        <table className="table" aria-label={t('customers.import.badRows')} data-bad-rows>
          <caption style={{ textAlign: 'left', fontWeight: 600, padding: '8px 0' }}>{t('customers.import.badRows')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('customers.import.line')}</th>
              <th scope="col">{t('customers.import.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {report.errors.map((error) => (
              <tr key={error.line} data-line={error.line}>
                <td style={{ fontVariantNumeric: 'tabular-nums' }}>{error.line}</td>
                <td data-code={error.code}>{i18next.exists(`customers.rowErrors.${error.code}`) ? t(`customers.rowErrors.${error.code}`, error.params ?? {}) : error.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.errorsTruncated && <p className="muted">{t('customers.import.more', { count: report.skipped - report.errors.length })}</p>}
    </div>
  );
}

function ImportPanel() {
  const { t } = useTranslation();
  const fileId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [report, setReport] = useState<CustomerImportReportView | null>(null);

  const run = async () => {
    const file = input.current?.files?.[0];
    if (!file) return;
    setReport(null);
    setMessage(null);
    if (file.size > MAX_FILE_BYTES) {
      setMessage({ tone: 'error', text: t('customers.import.tooLarge') });
      return;
    }
    setBusy(0);
    const bytes = new Uint8Array(await file.arrayBuffer());
    let result;
    if (bytes.length <= PART_BYTES) {
      result = await callStation('importCustomersCsv', { fileName: file.name, contentBase64: toBase64(bytes) });
    } else {
      const uploadId = `ui-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      for (let index = 0; index * PART_BYTES < bytes.length; index++) {
        const part = await callStation('uploadCustomersCsvPart', { uploadId, index, contentBase64: toBase64(bytes.subarray(index * PART_BYTES, (index + 1) * PART_BYTES)) });
        if (!part.ok) {
          setBusy(null);
          setMessage({ tone: 'error', text: errorText(t, part) });
          return;
        }
        setBusy(Math.min(99, Math.round((((index + 1) * PART_BYTES) / bytes.length) * 100)));
      }
      result = await callStation('importCustomersCsv', { fileName: file.name, uploadId });
    }
    setBusy(null);
    if (result.ok) setReport(result.value);
    else setMessage({ tone: 'error', text: `${errorText(t, result)} ${result.code.startsWith('csv_') ? result.message : ''}`.trim() });
  };

  return (
    <section aria-labelledby="customers-import" style={{ marginBottom: 20 }}>
      <h2 id="customers-import" style={{ fontSize: 16 }}>{t('customers.import.heading')}</h2>
      <p className="muted">{t('customers.import.help')}</p>
      <div style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' }}>
        <label className="field" htmlFor={fileId}>
          <span className="sr-only">{t('customers.import.file')}</span>
          <input ref={input} id={fileId} type="file" accept=".csv,.txt,text/csv,text/plain" data-input="customers-csv" disabled={busy !== null} />
        </label>
        <button type="button" className="button button--primary" onClick={() => void run()} disabled={busy !== null} data-action="import-customers">
          {t('customers.import.start')}
        </button>
        {busy !== null && <span role="status">{t('customers.import.running', { percent: busy })}</span>}
      </div>
      <div className="message-slot" aria-live="polite" style={{ marginTop: 8 }}>
        {message && <p className={`notice notice--${message.tone}`} data-message={message.tone}>{message.text}</p>}
      </div>
      {report && <ImportReport report={report} />}
    </section>
  );
}

function SyncPanel() {
  const { t } = useTranslation();
  const status = useStationQuery('getDirectoryStatus', {}, [], { events: ['customers-changed'] });
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>(null);
  if (!status.data?.syncConfigured) return null;
  const sync = async () => {
    setBusy(true);
    const result = await callStation('syncCustomers', {});
    setBusy(false);
    status.reload();
    if (!result.ok) return setMessage({ tone: 'error', text: errorText(t, result as StationError) });
    const v: CustomerSyncView = result.value;
    if (!v.ok) setMessage({ tone: 'error', text: t('customers.sync.failed', { error: v.error ?? '' }) });
    else setMessage({ tone: 'ok', text: v.notModified ? t('customers.sync.notModified') : t('customers.sync.ok', { imported: v.imported, updated: v.updated, deleted: v.deleted }) });
  };
  return (
    <section aria-labelledby="customers-sync" style={{ marginBottom: 20 }}>
      <h2 id="customers-sync" style={{ fontSize: 16 }}>{t('customers.sync.heading')}</h2>
      <button type="button" className="button" onClick={() => void sync()} disabled={busy} data-action="sync-customers">
        {busy ? t('customers.status.syncing') : t('customers.sync.now')}
      </button>
      <div className="message-slot" aria-live="polite" style={{ marginTop: 8 }}>
        {message && <p className={`notice notice--${message.tone}`} data-message={message.tone}>{message.text}</p>}
      </div>
    </section>
  );
}

function SearchPanel() {
  const { t } = useTranslation();
  const searchId = useId();
  const [query, setQuery] = useState('');
  const results = useStationQuery('searchCustomers', { query, limit: 20 }, [query], { events: ['customers-changed'] });
  const items = results.data?.items ?? [];
  // While the answer to what was just typed is on its way the table shows the previous one; it says
  // which search it shows, and "nobody found" is only said for the search as typed.
  const fresh = results.dataFor?.query === query;
  return (
    <section aria-labelledby="customers-search">
      <h2 id="customers-search" style={{ fontSize: 16 }}>{t('customers.search.heading')}</h2>
      <label className="field" htmlFor={searchId}>
        <span>{t('customers.search.label')}</span>
        <input
          id={searchId}
          className="input"
          type="search"
          value={query}
          placeholder={t('customers.search.placeholder')}
          onChange={(event) => setQuery(event.target.value)}
          autoComplete="off"
          spellCheck={false}
          data-input="customer-search"
          maxLength={200}
        />
      </label>
      {!query.trim() && <p className="muted">{t('customers.search.recent')}</p>}
      {results.error && <p className="notice notice--error">{errorText(t, results.error)}</p>}
      {query.trim() && fresh && items.length === 0 && <p className="muted" data-empty="customers">{t('customers.search.empty')}</p>}
      {items.length > 0 && (
        <table className="table" aria-label={t('customers.search.heading')} aria-busy={!fresh} data-customer-results data-results-for={results.dataFor?.query}>
          <thead>
            <tr>
              <th scope="col">{t('customers.search.column.name')}</th>
              <th scope="col">{t('customers.search.column.customerNumber')}</th>
              <th scope="col">{t('customers.search.column.bgNumber')}</th>
              <th scope="col">{t('customers.search.column.birthDate')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id} data-customer-id={c.id}>
                <td className="cell-name">{c.name}</td>
                <td>{c.customerNumber}</td>
                <td>{c.bgNumber ?? '—'}</td>
                <td>{germanDate(c.birthDate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function CustomersScreen() {
  const { t } = useTranslation();
  return (
    <section className="screen screen--customers" aria-labelledby="customers-title" style={{ overflowY: 'auto' }}>
      <header className="screen-header">
        <h1 id="customers-title">{t('customers.title')}</h1>
      </header>
      <p className="screen-intro">{t('customers.intro')}</p>
      <StatusPanel />
      <ImportPanel />
      <SyncPanel />
      <SearchPanel />
    </section>
  );
}

export const customerScreens: ScreenDefinition[] = [{ id: 'customers', pattern: '/customers', component: CustomersScreen }];
