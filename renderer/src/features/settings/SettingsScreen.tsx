/**
 * Settings: language (this workstation), the hot folders with their profiles and the default
 * sending target (edited here, saved to the station's config.json, in force at once), what
 * is watched right now, the sending targets' reachability, and a link to the customer import.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HotFolderSettings, SettingsView } from '../../../../preload/contract/settings';
import { errorText } from '../../i18n';
import { callStation, useStationQuery, type StationError } from '../../hooks/useStation';
import type { ScreenDefinition } from '../../routes';
import { useStationStatus } from '../../shell/station-status';
import { ConfirmDialog } from '../../shell/ConfirmDialog';
import { HotFolderForm } from './HotFolderForm';
import { LanguageChoice } from './LanguageChoice';

function newFolder(view: SettingsView): HotFolderSettings {
  const type = view.documentTypes.includes('Sonstiges') ? 'Sonstiges' : (view.documentTypes[0] ?? 'Sonstiges');
  return { path: '', enabled: true, profile: { name: 'Empfang', kind: 'front_desk', colourMode: 'auto', quietWindowMs: 4_000, defaultDocumentType: type, afterIngest: 'delete', dropBlankPages: false } };
}

/** The editable part: a form per hot folder and the default target, saved together. */
function SettingsEditor() {
  const { t } = useTranslation();
  const query = useStationQuery('getSettings', {}, [], { events: [] });
  const [draft, setDraft] = useState<SettingsView | undefined>(undefined);
  const [removing, setRemoving] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; detail?: string; error: boolean } | null>(null);
  useEffect(() => {
    if (query.data && !draft) setDraft(query.data);
  }, [query.data, draft]);
  if (!draft) return query.error ? <p className="notice notice--error">{errorText(t, query.error)}</p> : <p className="muted">{t('shell.common.loading')}</p>;

  const setFolder = (index: number, folder: HotFolderSettings) => setDraft({ ...draft, hotFolders: draft.hotFolders.map((f, i) => (i === index ? folder : f)) });
  async function save(event: React.FormEvent) {
    event.preventDefault();
    if (!draft) return;
    setBusy(true);
    setMessage(null);
    const result = await callStation('saveSettings', { hotFolders: draft.hotFolders, defaultTarget: draft.defaultTarget });
    setBusy(false);
    if (result.ok) {
      setDraft(result.value);
      setMessage({ text: result.value.restartRequired ? t('settings.form.savedRestart') : t('settings.form.saved'), error: false });
    } else {
      const error: StationError = result;
      // The station's message names the refused field (e.g. hotFolders.0.path); it is shown as the detail.
      setMessage({ text: error.code === 'invalid_settings' ? t('settings.form.refused') : errorText(t, error), detail: error.code === 'invalid_settings' ? error.message : undefined, error: true });
    }
  }

  return (
    <form onSubmit={(event) => void save(event)} aria-labelledby="settings-folders-title" data-settings-form>
      <h2 id="settings-folders-title">{t('settings.form.title')}</h2>
      {draft.restartRequired && <p className="notice" data-restart-required>{t('settings.form.restartPending')}</p>}
      {draft.hotFolders.map((folder, index) => (
        <HotFolderForm key={index} index={index} folder={folder} documentTypes={draft.documentTypes} onChange={(f) => setFolder(index, f)} onRemove={() => setRemoving(index)} />
      ))}
      <p>
        <button type="button" className="button" data-action="add-folder" onClick={() => setDraft({ ...draft, hotFolders: [...draft.hotFolders, newFolder(draft)] })}>
          {t('settings.form.add')}
        </button>
      </p>
      <div className="panel">
        <label style={{ display: 'flex', flexDirection: 'column', gap: 4, maxWidth: 360 }}>
          {t('settings.form.defaultTarget')}
          <select name="defaultTarget" value={draft.defaultTarget} onChange={(e) => setDraft({ ...draft, defaultTarget: e.target.value })}>
            {draft.targets.map((target) => (
              <option key={target.name} value={target.name}>
                {target.name} ({t(`settings.targetKind.${target.kind}`)})
              </option>
            ))}
          </select>
        </label>
      </div>
      {message && (
        <div className={message.error ? 'notice notice--error' : 'notice notice--ok'} role={message.error ? 'alert' : 'status'} data-save-result={message.error ? 'refused' : 'saved'}>
          <p>{message.text}</p>
          {message.detail && <pre style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{message.detail}</pre>}
        </div>
      )}
      <p>
        <button type="submit" className="button" data-action="save-settings" disabled={busy}>
          {t('settings.form.save')}
        </button>{' '}
        <button
          type="button"
          className="button button--quiet"
          data-action="reset-settings"
          disabled={busy}
          onClick={() => {
            setDraft(undefined);
            setMessage(null);
            query.reload();
          }}
        >
          {t('settings.form.reset')}
        </button>
      </p>
      {removing !== null && (
        <ConfirmDialog
          id="remove-folder"
          title={t('settings.form.removeTitle')}
          text={t('settings.form.removeText', { path: draft.hotFolders[removing]?.path || '—' })}
          confirmLabel={t('settings.form.remove')}
          confirmAction="confirm-remove"
          onCancel={() => setRemoving(null)}
          onConfirm={() => {
            setDraft({ ...draft, hotFolders: draft.hotFolders.filter((_, i) => i !== removing) });
            setRemoving(null);
          }}
        />
      )}
    </form>
  );
}

export function SettingsScreen() {
  const { t } = useTranslation();
  const { status } = useStationStatus();
  const sending = useStationQuery('getSendingStatus', {}, [], { events: ['sending'] });
  return (
    <section className="screen screen--settings" aria-labelledby="settings-title">
      <header className="screen-header">
        <h1 id="settings-title">{t('settings.title')}</h1>
      </header>

      <div className="panel">
        <LanguageChoice legend={t('settings.language')} />
        <p className="muted">{t('settings.languageHint')}</p>
      </div>

      <div className="panel">
        <SettingsEditor />
      </div>

      <div className="panel">
        <h2>{t('settings.customers')}</h2>
        <p>
          <a href="#/customers" data-link="customer-import">{t('settings.customersLink')}</a>
        </p>
      </div>

      <div className="panel">
        <h2>{t('settings.folders')}</h2>
        {status && status.hotFolders.length === 0 && <p>{t('settings.noFolders')}</p>}
        {status && status.hotFolders.length > 0 && (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('settings.folderPath')}</th>
                <th scope="col">{t('settings.folderProfile')}</th>
                <th scope="col">{t('settings.folderKind')}</th>
                <th scope="col">{t('settings.folderState')}</th>
              </tr>
            </thead>
            <tbody>
              {status.hotFolders.map((folder) => (
                <tr key={folder.path} data-folder={folder.path}>
                  <td className="cell-path">{folder.path}</td>
                  <td>{folder.profile}</td>
                  <td>{t(`settings.kind.${folder.kind}`)}</td>
                  <td className={folder.watching ? 'text-ok' : 'text-bad'}>{folder.watching ? t('settings.watching') : t('settings.notWatching')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted">{t('settings.foldersHint')}</p>
      </div>

      <div className="panel">
        <h2>{t('settings.sending')}</h2>
        {sending.data && (
          <ul className="plain-list" data-sending-online={sending.data.online}>
            <li>{sending.data.online ? t('settings.sendingOnline') : t('settings.sendingOffline', { targets: sending.data.offlineTargets.map((target) => target.name).join(', ') })}</li>
            {sending.data.paused && <li>{t('settings.sendingPaused')}</li>}
            {sending.data.needsAttention > 0 && <li className="text-bad">{t('settings.sendingNeedsAttention', { count: sending.data.needsAttention })}</li>}
          </ul>
        )}
      </div>

      {status && (
        <div className="panel">
          <h2>{t('settings.station')}</h2>
          <p>
            {t('settings.stationId', { id: status.stationId })} · {t('settings.version', { version: status.version })}
          </p>
        </div>
      )}
    </section>
  );
}

export const settingsScreens: ScreenDefinition[] = [{ id: 'settings', pattern: '/settings', component: SettingsScreen }];
