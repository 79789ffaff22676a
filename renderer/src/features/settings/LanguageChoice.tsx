/** The language radio group, shared by the settings menu and the settings screen. */
import { useTranslation } from 'react-i18next';
import { currentLanguage, setLanguage } from '../../i18n';
import { languages, type Language } from '../../i18n/resources';

export function LanguageChoice({ legend }: { legend: string }) {
  const { t } = useTranslation();
  const labels: Record<Language, string> = { de: t('shell.settings.german'), en: t('shell.settings.english') };
  return (
    <fieldset className="choice">
      <legend>{legend}</legend>
      {languages.map((language) => (
        <label key={language} className="radio">
          <input type="radio" name="language" value={language} checked={currentLanguage() === language} onChange={() => void setLanguage(language)} />
          <span lang={language}>{labels[language]}</span>
        </label>
      ))}
    </fieldset>
  );
}
