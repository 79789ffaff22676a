/**
 * Messages for the station's stable error codes (ApiError codes from main/api). The UI shows these,
 * not the station's English message, which is kept for the log and as a fallback for unknown codes.
 */
export const errorStrings = {
  de: {
    unknown_operation: 'Diese Aktion kennt die Station nicht. Bitte die Anwendung neu starten.',
    invalid_input: 'Die Eingabe wurde nicht angenommen. Bitte prüfen und erneut versuchen.',
    not_found: 'Das gibt es nicht (mehr). Die Ansicht wird aktualisiert.',
    conflict: 'Das geht gerade nicht: der Stand hat sich inzwischen geändert.',
    internal: 'Die Station konnte das nicht ausführen. Der Fehler steht im Protokoll; bitte erneut versuchen.',
    offline: 'Keine Verbindung zur Station. Läuft sie noch?',
    http_error: 'Die Station hat unerwartet geantwortet. Bitte erneut versuchen.',
    original_too_large: 'Das Original ist zu groß für den Download hier; es liegt im Quarantäne-Ordner der Station.',
    profile_missing: 'Der Eingangsordner dieser Datei ist nicht mehr eingerichtet; sie kann nicht erneut verarbeitet werden.',
    unauthorized: 'Der Zugang ist abgelaufen. Bitte die Adresse aus der Station neu öffnen.',
    payload_too_large: 'Die Anfrage ist zu groß.',
    original_missing: 'Die aufbewahrte Originaldatei fehlt.',
    not_quarantined: 'Diese Datei ist nicht (mehr) in Quarantäne.',
    unknown: 'Ein unbekannter Fehler ist aufgetreten ({{code}}).',
  },
  en: {
    unknown_operation: 'The station does not know this action. Please restart the application.',
    invalid_input: 'The input was not accepted. Please check it and try again.',
    not_found: 'This does not exist (any more). The view is being refreshed.',
    conflict: 'That is not possible right now: things have changed in the meantime.',
    internal: 'The station could not do that. The error is in the station log; please try again.',
    offline: 'No connection to the station. Is it still running?',
    http_error: 'The station answered unexpectedly. Please try again.',
    original_too_large: 'The original is too large to download here; it is in the station\'s quarantine folder.',
    profile_missing: 'The hot folder this file came from is no longer configured; it cannot be processed again.',
    unauthorized: 'Access has expired. Please open the address shown by the station again.',
    payload_too_large: 'The request is too large.',
    original_missing: 'The kept original file is missing.',
    not_quarantined: 'This file is not (or no longer) in quarantine.',
    unknown: 'An unknown error occurred ({{code}}).',
  },
};
