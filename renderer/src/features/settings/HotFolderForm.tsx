/** One hot folder and its profile as an editable group of labelled fields (settings screen). */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { settingsColourModes, settingsProfileKinds, type HotFolderSettings } from '../../../../preload/contract/settings';

const fieldStyle = { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))', gap: '10px 16px', alignItems: 'end' } as const;
const labelStyle = { display: 'flex', flexDirection: 'column', gap: 4 } as const;

export function HotFolderForm(props: {
  index: number;
  folder: HotFolderSettings;
  documentTypes: string[];
  onChange: (folder: HotFolderSettings) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const { folder, onChange } = props;
  const profile = (patch: Partial<HotFolderSettings['profile']>) => onChange({ ...folder, profile: { ...folder.profile, ...patch } });
  const types = props.documentTypes.includes(folder.profile.defaultDocumentType) ? props.documentTypes : [folder.profile.defaultDocumentType, ...props.documentTypes];
  return (
    <fieldset className="panel" data-hot-folder={props.index} aria-labelledby={`${id}-legend`}>
      <legend id={`${id}-legend`}>{t('settings.form.folderLegend', { number: props.index + 1, name: folder.profile.name })}</legend>
      <div style={fieldStyle}>
        <label style={{ ...labelStyle, gridColumn: '1 / -1' }}>
          {t('settings.form.path')}
          <input type="text" name="path" value={folder.path} required spellCheck={false} onChange={(e) => onChange({ ...folder, path: e.target.value })} aria-describedby={`${id}-path-hint`} />
          <span id={`${id}-path-hint`} className="muted">{t('settings.form.pathHint')}</span>
        </label>
        <label style={labelStyle}>
          {t('settings.form.profileName')}
          <input type="text" name="profileName" value={folder.profile.name} required maxLength={80} onChange={(e) => profile({ name: e.target.value })} />
        </label>
        <label style={labelStyle}>
          {t('settings.form.kind')}
          <select name="kind" value={folder.profile.kind} onChange={(e) => profile({ kind: e.target.value as HotFolderSettings['profile']['kind'] })}>
            {settingsProfileKinds.map((kind) => (
              <option key={kind} value={kind}>{t(`settings.kind.${kind}`)}</option>
            ))}
          </select>
        </label>
        <label style={labelStyle}>
          {t('settings.form.colourMode')}
          <select name="colourMode" value={folder.profile.colourMode} onChange={(e) => profile({ colourMode: e.target.value as HotFolderSettings['profile']['colourMode'] })}>
            {settingsColourModes.map((mode) => (
              <option key={mode} value={mode}>{t(`settings.colour.${mode}`)}</option>
            ))}
          </select>
        </label>
        <label style={labelStyle}>
          {t('settings.form.quietWindow')}
          <input
            type="number"
            name="quietWindowSeconds"
            min={0}
            max={600}
            step={0.5}
            value={folder.profile.quietWindowMs / 1000}
            onChange={(e) => profile({ quietWindowMs: Math.round(Number(e.target.value) * 1000) })}
          />
        </label>
        <label style={labelStyle}>
          {t('settings.form.defaultType')}
          <select name="defaultDocumentType" value={folder.profile.defaultDocumentType} onChange={(e) => profile({ defaultDocumentType: e.target.value })}>
            {types.map((type) => (
              <option key={type} value={type}>{type}</option>
            ))}
          </select>
        </label>
        <label style={labelStyle}>
          {t('settings.form.afterIngest')}
          <select name="afterIngest" value={folder.profile.afterIngest} onChange={(e) => profile({ afterIngest: e.target.value as 'delete' | 'keep' })}>
            <option value="delete">{t('settings.form.afterIngestDelete')}</option>
            <option value="keep">{t('settings.form.afterIngestKeep')}</option>
          </select>
        </label>
        <label className="radio">
          <input type="checkbox" name="dropBlankPages" checked={folder.profile.dropBlankPages} onChange={(e) => profile({ dropBlankPages: e.target.checked })} />
          {t('settings.form.dropBlank')}
        </label>
        <label className="radio">
          <input type="checkbox" name="enabled" checked={folder.enabled} onChange={(e) => onChange({ ...folder, enabled: e.target.checked })} />
          {t('settings.form.enabled')}
        </label>
        <div>
          <button type="button" className="button button--danger-quiet" data-action="remove-folder" onClick={props.onRemove}>
            {t('settings.form.remove')}
          </button>
        </div>
      </div>
    </fieldset>
  );
}
