/**
 * Why a document is in "error", in plain words by its stable code (German, English on request),
 * with the code beside it and the station's technical text kept for support (tooltip in the queue
 * row, a details element in the document view).
 */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { DocumentSummaryView } from '../../../../preload/contract/documents';
import { sendErrorText } from '../../i18n';

export function documentErrorWords(t: TFunction, doc: Pick<DocumentSummaryView, 'sendErrorCode' | 'error'>): string {
  return doc.sendErrorCode ? sendErrorText(t, doc.sendErrorCode, { stopped: true }) : t('queue.errorReason.processing');
}

/** One line for a queue row: the words and the code; the technical text as the tooltip. */
export function DocumentErrorLine({ doc }: { doc: Pick<DocumentSummaryView, 'sendErrorCode' | 'error'> }) {
  const { t } = useTranslation();
  const words = documentErrorWords(t, doc);
  // The row has room for two lines; the tooltip has the whole sentence and the station's own text.
  const title = doc.error ? `${words}\n${t('queue.errorDetails')}: ${doc.error}` : words;
  return (
    <span className="queue-row-error" title={title} data-error-code={doc.sendErrorCode ?? 'processing'}>
      {words}
      {doc.sendErrorCode && <span className="error-code"> ({t('queue.errorCode', { code: doc.sendErrorCode })})</span>}
    </span>
  );
}

/** The technical text, folded away (keyboard: Tab to it, Enter or Space opens). */
export function TechnicalDetails({ text }: { text: string | null }) {
  const { t } = useTranslation();
  if (!text) return null;
  return (
    <details className="technical-details" data-technical-details>
      <summary>{t('queue.errorDetails')}</summary>
      <code>{text}</code>
    </details>
  );
}
