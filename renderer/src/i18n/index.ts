/** i18next set up for the staff UI: German by default, English when chosen (kept in localStorage). */
import i18next, { type TFunction } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { languages, resources, type Language } from './resources';
import { sendErrorKey } from './error-strings';

const STORAGE_KEY = 'intake-station.language';

function storedLanguage(): Language {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return (languages as readonly string[]).includes(value ?? '') ? (value as Language) : 'de';
  } catch {
    return 'de';
  }
}

export async function initI18n(): Promise<typeof i18next> {
  const lng = storedLanguage();
  await i18next.use(initReactI18next).init({
    resources,
    lng,
    fallbackLng: 'de',
    interpolation: { escapeValue: false }, // React escapes.
    returnNull: false,
  });
  document.documentElement.lang = lng;
  return i18next;
}

export async function setLanguage(language: Language): Promise<void> {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private mode or storage disabled: the choice lasts for this session only.
  }
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}

export function currentLanguage(): Language {
  return (i18next.resolvedLanguage ?? i18next.language) === 'en' ? 'en' : 'de';
}

/** A station error in the user's language: by its stable code, the station's own text only as a last resort. */
export function errorText(t: TFunction, error: { code: string; message?: string }): string {
  const key = `errors.${error.code}`;
  return i18next.exists(key) ? t(key) : t('errors.unknown', { code: error.code });
}

/**
 * A sending error (SendError code) in plain words. `stopped`: the document is in "error" and the
 * station no longer tries by itself, so the words leave out "the station tries again".
 */
export function sendErrorText(t: TFunction, code: string, options: { stopped?: boolean } = {}): string {
  if (options.stopped && i18next.exists(`errors.sendStopped.${code}`)) return t(`errors.sendStopped.${code}`);
  const { key, values } = sendErrorKey(code, (k) => i18next.exists(k));
  return t(key, values ?? {});
}

export type { Language };

/** A count as people read it in the current language (10.000 / 10,000). */
export function formatCount(value: number): string {
  return new Intl.NumberFormat(currentLanguage() === 'en' ? 'en-GB' : 'de-DE').format(value);
}
