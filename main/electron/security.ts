/**
 * The desktop window's security settings as plain functions and constants (Electron's security
 * checklist), so tests check them without launching Electron. main/index.ts only wires them up.
 * Only types are imported from 'electron': importing this file never loads Electron.
 */
import type { CustomScheme, WebPreferences, WindowOpenHandlerResponse } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../web/headers.js';

/** The UI is served from app://station/ (a standard, secure custom scheme), never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'station';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

export { CONTENT_SECURITY_POLICY };

/** Registered before the app is ready: standard (relative URLs, origin) and secure (like https). */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: false, bypassCSP: false, allowServiceWorkers: false, codeCache: true },
};

export function secureWebPreferences(preloadPath: string, options: { devTools?: boolean } = {}): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: options.devTools ?? false,
    // Middle-click would open links in new windows (denied anyway; this stops the event itself).
    disableBlinkFeatures: 'Auxclick',
  };
}

/** The window never navigates anywhere: the app is one page that routes itself. */
export function isAllowedNavigation(_url: unknown): false {
  return false;
}

/** No new windows, whatever the URL (links to the outside are not part of the app). */
export function windowOpenHandler(_details: unknown): WindowOpenHandlerResponse {
  return { action: 'deny' };
}

/** Camera, microphone, notifications, geolocation, clipboard, HID…: the station needs none. */
export function permissionRequestHandler(_webContents: unknown, _permission: unknown, callback: (granted: boolean) => void): void {
  callback(false);
}

export function permissionCheckHandler(): boolean {
  return false;
}

export function isAppUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '' && parsed.port === '';
}

/**
 * IPC is answered only for the app's own top frame: a frame's URL must be app://station/…, and
 * it must have no parent (no iframe, even one of ours, may call the station).
 */
export function validateSender(frame: unknown): boolean {
  if (typeof frame !== 'object' || frame === null) return false;
  const { url, parent } = frame as { url?: unknown; parent?: unknown };
  return isAppUrl(url) && (parent === null || parent === undefined);
}

export type AppRequest = { kind: 'static'; pathname: string } | { kind: 'resource'; pathname: string };

/** What an app:// request asks for; anything not on our host is refused (null). */
export function resolveAppRequest(url: unknown): AppRequest | null {
  if (!isAppUrl(url)) return null;
  // Queries and fragments carry nothing the files need: only the path counts.
  const pathname = new URL(url as string).pathname;
  return pathname.startsWith('/resource/') ? { kind: 'resource', pathname } : { kind: 'static', pathname };
}

/** Headers on every app:// response (the CSP is also on HTML; it is harmless elsewhere). */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

/** Command-line switches that must never reach a packaged app (fuses cover the rest). */
export const FORBIDDEN_SWITCHES = ['--inspect', '--inspect-brk', '--remote-debugging-port', '--js-flags', '--no-sandbox', '--disable-web-security'] as const;

export function hasForbiddenSwitch(argv: readonly unknown[]): boolean {
  return argv.some((arg) => typeof arg === 'string' && FORBIDDEN_SWITCHES.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
}
