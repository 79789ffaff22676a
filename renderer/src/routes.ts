/**
 * Hash routing for the staff UI (#/queue/needs_review, #/document/<id>, ...). Hash routes work the
 * same under Electron's custom protocol and browser mode, and need no server-side fallback.
 * Screens are registered in App.tsx (`screens`); see renderer/README.md.
 */
import { useSyncExternalStore, type ComponentType } from 'react';

export type RouteParams = Record<string, string>;

export interface ScreenProps {
  params: RouteParams;
}

export interface ScreenDefinition {
  /** Stable id, also used as the main area's data-screen attribute (tests, styling). */
  id: string;
  /** '/document/:id' — literal segments and :named parameters. */
  pattern: string;
  component: ComponentType<ScreenProps>;
}

/** A link target in the left navigation beside the queue states. */
export interface NavItem {
  path: string;
  /** i18n key of the label. */
  labelKey: string;
}

export const defaultPath = '/queue/needs_review';

export function matchPattern(pattern: string, path: string): RouteParams | null {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: RouteParams = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const h = have[i]!;
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(h);
      } catch {
        return null;
      }
    } else if (w !== h) {
      return null;
    }
  }
  return params;
}

export function resolveScreen(screens: readonly ScreenDefinition[], path: string): { screen: ScreenDefinition; params: RouteParams } | null {
  for (const screen of screens) {
    const params = matchPattern(screen.pattern, path);
    if (params) return { screen, params };
  }
  return null;
}

export function currentPath(): string {
  const hash = window.location.hash.replace(/^#/, '');
  return hash.startsWith('/') ? hash : defaultPath;
}

/** '#/document/abc' for an <a href>. Parameters are encoded. */
export function href(...segments: string[]): string {
  return '#/' + segments.map((s) => encodeURIComponent(s)).join('/');
}

export function navigate(path: string): void {
  const target = path.startsWith('#') ? path : '#' + path;
  if (window.location.hash !== target) window.location.hash = target;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current route path; re-renders on hash change. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

/**
 * The list a document was opened from (a queue view or a mailroom batch), so "back" and "assign and
 * send" return there, where the selection waits on the next document.
 */
let listPath = defaultPath;

export function rememberListPath(path: string): void {
  listPath = path;
}

export function listPathToReturnTo(): string {
  return listPath;
}
