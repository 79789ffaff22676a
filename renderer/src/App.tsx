/**
 * The app shell: header, left navigation with live queue counts, the routed main area and the
 * status bar. Screens and navigation entries are registered in the two lists below.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { resolveScreen, usePath, type NavItem, type ScreenDefinition } from './routes';
import { Navigation } from './shell/Navigation';
import { SettingsMenu } from './shell/SettingsMenu';
import { StatusBar } from './shell/StatusBar';
import { StationStatusProvider } from './shell/station-status';
import { queueScreens } from './features/queue/QueueScreen';
import { quarantineScreens } from './features/quarantine/QuarantineScreen';
import { settingsScreens } from './features/settings/SettingsScreen';
import { batchReviewScreens } from './features/batch-review/BatchReviewScreen';
import { documentScreens } from './features/document/DocumentScreen';
import { customerScreens } from './features/customers/CustomersScreen';

/** Every screen, first match wins. Add yours here (see renderer/README.md). */
export const screens: ScreenDefinition[] = [
  ...queueScreens,
  ...quarantineScreens,
  ...settingsScreens,
  ...batchReviewScreens,
  ...documentScreens,
  ...customerScreens,
];

/** Extra entries in the left navigation, below the queue states. */
export const navItems: NavItem[] = [{ path: '/batches', labelKey: 'batchReview.nav' }, { path: '/customers', labelKey: 'customers.nav' }];

function NotFound() {
  const { t } = useTranslation();
  return (
    <section className="screen screen--empty">
      <p>{t('shell.common.notFound')}</p>
      <a className="button" href="#/queue/needs_review">
        {t('shell.common.backToQueue')}
      </a>
    </section>
  );
}

export function App() {
  const { t } = useTranslation();
  const path = usePath();
  const match = resolveScreen(screens, path);
  const mainRef = useRef<HTMLElement>(null);
  const screenId = match?.screen.id ?? 'not-found';

  // A new screen: tell screen readers by moving focus to the main area unless a screen takes it.
  useEffect(() => {
    if (document.activeElement === document.body) mainRef.current?.focus({ preventScroll: true });
  }, [screenId]);

  const Screen = match?.screen.component;
  return (
    <Shell>
      <a className="skip-link" href="#main" onClick={(event) => { event.preventDefault(); mainRef.current?.focus(); }}>
        {t('shell.skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand">{t('shell.appName')}</span>
        <SettingsMenu />
      </header>
      <Navigation path={path} extra={navItems} />
      <main id="main" ref={mainRef} tabIndex={-1} className="main" data-screen={screenId}>
        {Screen ? <Screen key={path} params={match.params} /> : <NotFound />}
      </main>
      <StatusBar />
    </Shell>
  );
}

function Shell({ children }: { children: ReactNode }) {
  return (
    <StationStatusProvider>
      <div className="app">{children}</div>
    </StationStatusProvider>
  );
}
