/** Bottom status bar: connection, sending, processing progress with pages done and time left. */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useStationStatus } from './station-status';

function formatEta(t: TFunction, seconds: number): string {
  return seconds < 90 ? t('shell.status.seconds', { count: Math.max(1, Math.round(seconds)) }) : t('shell.status.minutes', { count: Math.round(seconds / 60) });
}

function formatWhen(iso: string, locale: string): string {
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString()
    ? date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(locale, { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
}

export function StatusBar() {
  const { t, i18n } = useTranslation();
  const { status, progress, sending, connected, lastSentAt } = useStationStatus();
  const locale = i18n.language === 'en' ? 'en-GB' : 'de-DE';

  const online = sending ? sending.online : true;
  const connection = !connected ? t('shell.status.disconnected') : sending ? (online ? t('shell.status.online') : t('shell.status.offline')) : status ? t('shell.status.online') : t('shell.status.connecting');
  const connectionTone = !connected || (sending && !sending.online) ? 'bad' : status ? 'good' : 'neutral';

  const waiting = sending?.waiting ?? status?.documents.queued ?? 0;
  const sendingText = sending?.paused
    ? t('shell.status.sendingPaused', { waiting })
    : (sending?.active ?? 0) > 0 || waiting > 0
      ? t('shell.status.sendingActive', { active: sending?.active ?? status?.documents.uploading ?? 0, waiting })
      : t('shell.status.sendingIdle');

  const busy = progress && progress.pagesTotal > progress.pagesDone;
  let processingText = t('shell.status.processingIdle');
  if (busy) {
    processingText = t('shell.status.processing', { done: progress.pagesDone, total: progress.pagesTotal });
    if (progress.etaSeconds !== null && progress.etaSeconds > 0) processingText += ' · ' + t('shell.status.timeLeft', { time: formatEta(t, progress.etaSeconds) });
  } else if (status && status.pagesPending > 0) {
    processingText = t('shell.status.pagesPending', { count: status.pagesPending });
  }

  return (
    <footer className="statusbar" aria-label={t('shell.status.label')}>
      <span className={`status-item status-dot status-dot--${connectionTone}`} role="status" data-status="connection">
        {connection}
      </span>
      <span className="status-item" data-status="sending">
        {sendingText}
      </span>
      {lastSentAt && (
        <span className="status-item" data-status="last-sent">
          {t('shell.status.lastSent', { time: formatWhen(lastSentAt, locale) })}
        </span>
      )}
      <span className="status-item status-progress" data-status="processing" role="status" aria-live="polite">
        {busy && <progress max={progress.pagesTotal} value={progress.pagesDone} aria-hidden="true" />}
        {processingText}
      </span>
      <span className="status-item status-folders" data-status="folders">
        {status?.hotFolders.map((folder) => (
          <span
            key={folder.path}
            className={`folder-state folder-state--${folder.watching ? 'on' : 'off'}`}
            title={folder.path}
            data-watching={folder.watching}
          >
            {t(folder.watching ? 'shell.status.folderWatching' : 'shell.status.folderNotWatching', { name: folder.profile })}
          </span>
        ))}
      </span>
    </footer>
  );
}
