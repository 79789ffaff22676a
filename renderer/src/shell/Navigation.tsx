/** Left navigation: the queue states with live counts, quarantine, then registered screens. */
import { useTranslation } from 'react-i18next';
import { useEffect } from 'react';
import { navigate, type NavItem } from '../routes';
import { formatCount } from '../i18n';
import { useStationStatus } from './station-status';
import { queueViews, type QueueViewId } from '../features/queue/queue-views';

function NavLink({ path, label, count, current, tone, shortcut, countKey = 'shell.nav.countLabel' }: { path: string; label: string; count?: number; current: boolean; tone?: 'alert' | 'warn'; shortcut?: string; countKey?: string }) {
  const { t } = useTranslation();
  return (
    <li>
      <a
        href={'#' + path}
        className={'nav-link' + (current ? ' is-current' : '')}
        aria-current={current ? 'page' : undefined}
        aria-keyshortcuts={shortcut}
        title={shortcut}
        data-nav={path}
      >
        <span className="nav-label">{label}</span>
        {count !== undefined && (
          <span className={'nav-count' + (tone && count > 0 ? ` nav-count--${tone}` : '')} aria-label={t(countKey, { count, n: formatCount(count) })}>
            {formatCount(count)}
          </span>
        )}
      </a>
    </li>
  );
}

/** Alt+1 … Alt+7: the queue views and quarantine, from anywhere (staff keep their hands on the keys). */
const shortcutPaths = [...(Object.keys(queueViews) as QueueViewId[]).map((view) => `/queue/${view}`), '/quarantine'];

function useNavigationShortcuts(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      const digit = /^Digit([1-9])$/.exec(event.code)?.[1];
      const target = digit ? shortcutPaths[Number(digit) - 1] : undefined;
      if (!target) return;
      event.preventDefault();
      navigate(target);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function Navigation({ path, extra }: { path: string; extra: readonly NavItem[] }) {
  const { t } = useTranslation();
  useNavigationShortcuts();
  const { status, sentToday } = useStationStatus();
  const countFor = (view: QueueViewId): number | undefined => {
    if (!status) return undefined;
    if (view === 'uploaded') return sentToday;
    return queueViews[view].states.reduce((sum, state) => sum + (status.documents[state] ?? 0), 0);
  };
  return (
    <nav className="nav" aria-label={t('shell.nav.label')}>
      <h2 className="nav-heading">{t('shell.nav.queueHeading')}</h2>
      <ul className="nav-list">
        {(Object.keys(queueViews) as QueueViewId[]).map((view) => (
          <NavLink
            key={view}
            path={`/queue/${view}`}
            label={t(queueViews[view].navKey)}
            count={countFor(view)}
            current={path === `/queue/${view}` || (view === 'needs_review' && path === '/queue')}
            tone={view === 'error' ? 'alert' : undefined}
            shortcut={`Alt+${shortcutPaths.indexOf(`/queue/${view}`) + 1}`}
          />
        ))}
        <NavLink path="/quarantine" label={t('shell.nav.quarantine')} count={status?.quarantined} current={path.startsWith('/quarantine')} tone="warn" shortcut={`Alt+${shortcutPaths.length}`} countKey="quarantine.count" />
      </ul>
      {extra.length > 0 && (
        <>
          <h2 className="nav-heading">{t('shell.nav.moreHeading')}</h2>
          <ul className="nav-list">
            {extra.map((item) => (
              <NavLink key={item.path} path={item.path} label={t(item.labelKey)} current={path.startsWith(item.path)} />
            ))}
          </ul>
        </>
      )}
    </nav>
  );
}
