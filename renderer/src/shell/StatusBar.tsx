/** Bottom status bar: connection, sending, processing progress with pages done and time left. */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useStationStatus } from './station-status';

function formatEta(t: TFunction, seconds: number): string {
  return seconds < 90 ? t('shell.status.seconds', { count: Math.max(1, Math.round(seconds)) }) : t('shell.status.minutes', { count: Math.round(seconds / 60) });
}

export function StatusBar() {
  const { t } = useTranslation();
  const { status, progress, sending, connected } = useStationStatus();

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
      <span className="status-item status-progress" data-status="processing" role="status" aria-live="polite">
        {busy && <progress max={progress.pagesTotal} value={progress.pagesDone} aria-hidden="true" />}
        {processingText}
      </span>
    </footer>
  );
}
