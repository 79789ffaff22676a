/** The settings menu in the header: language for now; other settings screens link from here. */
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageChoice } from '../features/settings/LanguageChoice';

export function SettingsMenu() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    panelRef.current?.querySelector<HTMLElement>('input:checked, input, button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    const onClick = (event: MouseEvent) => {
      if (!panelRef.current?.contains(event.target as Node) && !buttonRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  return (
    <div className="settings">
      <button ref={buttonRef} type="button" className="button button--quiet" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((o) => !o)} data-action="settings">
        {t('shell.settings.button')}
      </button>
      {open && (
        <div ref={panelRef} id={panelId} className="settings-panel" role="dialog" aria-label={t('shell.settings.button')}>
          <LanguageChoice legend={t('shell.settings.language')} />
          <a className="settings-link" href="#/settings" onClick={() => setOpen(false)} data-action="all-settings">
            {t('settings.openAll')}
          </a>
          <button type="button" className="button" onClick={() => { setOpen(false); buttonRef.current?.focus(); }}>
            {t('shell.settings.close')}
          </button>
        </div>
      )}
    </div>
  );
}
