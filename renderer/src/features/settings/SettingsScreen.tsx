/**
 * Settings as staff see them: language (changed here), the hot folders with their profiles and
 * whether they are watched, the sending targets' reachability. Folders and targets are configured in
 * the station's config.json (an administrator's job); this screen shows what is in force.
 */
import { useTranslation } from 'react-i18next';
import { useStationQuery } from '../../hooks/useStation';
import type { ScreenDefinition } from '../../routes';
import { useStationStatus } from '../../shell/station-status';
import { LanguageChoice } from './LanguageChoice';

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
