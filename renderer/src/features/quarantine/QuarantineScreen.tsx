/**
 * Quarantine: files that could not become a document, with the reason in plain words, the
 * original to download, and retry or discard (discard asks first, in a modal dialog).
 */
import { useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { QuarantineItemView } from '../../../../preload/contract/quarantine';
import { errorText, formatCount } from '../../i18n';
import i18next from 'i18next';
import { callStation, useStationQuery, type StationError } from '../../hooks/useStation';
import type { ScreenDefinition } from '../../routes';
import { ConfirmDialog } from '../../shell/ConfirmDialog';

function reasonText(t: TFunction, item: QuarantineItemView): string {
  const key = `quarantine.reasons.${item.code}`;
  return i18next.exists(key) ? t(key) : t('quarantine.reasons.unknown', { code: item.code });
}

function formatWhen(iso: string, language: string): string {
  return new Date(iso).toLocaleString(language === 'en' ? 'en-GB' : 'de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function downloadBytes(name: string, base64: string): void {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function QuarantineScreen() {
  const { t, i18n } = useTranslation();
  const list = useStationQuery('listQuarantine', {}, [], { events: ['quarantine-changed'] });
  const [confirming, setConfirming] = useState<QuarantineItemView | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);

  const report = (result: { ok: true } | { ok: false; code: string; message: string }, okText: string) => {
    if (result.ok) setMessage({ tone: 'ok', text: okText });
    else setMessage({ tone: 'error', text: errorText(t, result as StationError) });
  };

  const retry = async (item: QuarantineItemView) => {
    setBusy(item.sourceId);
    const result = await callStation('retryQuarantined', { sourceId: item.sourceId });
    setBusy(null);
    report(result, t('quarantine.retried', { name: item.originalName }));
    list.reload();
  };
  const discard = async (item: QuarantineItemView) => {
    setBusy(item.sourceId);
    const result = await callStation('discardQuarantined', { sourceId: item.sourceId, confirm: true });
    setBusy(null);
    setConfirming(null);
    report(result, t('quarantine.discarded', { name: item.originalName }));
    list.reload();
  };
  const download = async (item: QuarantineItemView) => {
    setBusy(item.sourceId);
    const result = await callStation('getQuarantineOriginal', { sourceId: item.sourceId });
    setBusy(null);
    if (result.ok) downloadBytes(result.value.name, result.value.base64);
    else setMessage({ tone: 'error', text: errorText(t, result) });
  };

  const items = list.data?.items ?? [];
  return (
    <section className="screen screen--quarantine" aria-labelledby="quarantine-title">
      <header className="screen-header">
        <h1 id="quarantine-title">{t('quarantine.title')}</h1>
        {list.data && (
          <span className="screen-count" data-count={list.data.total}>
            {t('quarantine.count', { count: list.data.total, n: formatCount(list.data.total) })}
          </span>
        )}
      </header>
      <p className="screen-intro">{t('quarantine.intro')}</p>
      <div role="status" aria-live="polite" className="message-slot">
        {message && <p className={`notice notice--${message.tone}`} data-message={message.tone}>{message.text}</p>}
      </div>
      {list.error && !list.data && (
        <p className="notice notice--error" role="alert">
          {t('quarantine.loadFailed')} {errorText(t, list.error)}
        </p>
      )}
      {list.loading && !list.data && <p className="muted">{t('shell.common.loading')}</p>}
      {list.data && items.length === 0 && (
        <div className="empty-state" data-empty="quarantine">
          <p>{t('quarantine.empty')}</p>
        </div>
      )}
      {items.length > 0 && (
        <table className="table" aria-label={t('quarantine.listLabel')}>
          <thead>
            <tr>
              <th scope="col">{t('quarantine.column.name')}</th>
              <th scope="col">{t('quarantine.column.reason')}</th>
              <th scope="col">{t('quarantine.column.when')}</th>
              <th scope="col">
                <span className="sr-only">{t('quarantine.column.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.sourceId} data-source-id={item.sourceId} data-code={item.code}>
                <td className="cell-name">{item.originalName}</td>
                <td className="cell-reason">{reasonText(t, item)}</td>
                <td className="cell-when">
                  <time dateTime={item.at}>{formatWhen(item.at, i18n.language)}</time>
                </td>
                <td className="cell-actions">
                  {item.hasOriginal ? (
                    <>
                      <button type="button" className="button button--quiet" onClick={() => void download(item)} disabled={busy !== null} data-action="download">
                        {t('quarantine.download')}
                      </button>
                      <button type="button" className="button" onClick={() => void retry(item)} disabled={busy !== null} data-action="retry">
                        {t('quarantine.retry')}
                      </button>
                    </>
                  ) : (
                    <span className="muted">{t('quarantine.noOriginal')}</span>
                  )}
                  <button type="button" className="button button--danger-quiet" onClick={() => setConfirming(item)} disabled={busy !== null} data-action="discard">
                    {t('quarantine.discard')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {confirming && (
        <ConfirmDialog
          id="discard"
          title={t('quarantine.confirmTitle')}
          text={t('quarantine.confirmText', { name: confirming.originalName })}
          confirmLabel={t('quarantine.confirmDiscard')}
          confirmAction="confirm-discard"
          busy={busy !== null}
          onCancel={() => setConfirming(null)}
          onConfirm={() => void discard(confirming)}
        />
      )}
    </section>
  );
}

export const quarantineScreens: ScreenDefinition[] = [{ id: 'quarantine', pattern: '/quarantine', component: QuarantineScreen }];
