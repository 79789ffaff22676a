/** Left navigation: the queue states with live counts, quarantine, then registered screens. */
import { useTranslation } from 'react-i18next';
import type { NavItem } from '../routes';
import { formatCount } from '../i18n';
import { useStationStatus } from './station-status';
import { queueViews, type QueueViewId } from '../features/queue/queue-views';

function NavLink({ path, label, count, current, tone }: { path: string; label: string; count?: number; current: boolean; tone?: 'alert' | 'warn' }) {
  const { t } = useTranslation();
  return (
    <li>
      <a
        href={'#' + path}
        className={'nav-link' + (current ? ' is-current' : '')}
        aria-current={current ? 'page' : undefined}
        data-nav={path}
      >
        <span className="nav-label">{label}</span>
        {count !== undefined && (
          <span className={'nav-count' + (tone && count > 0 ? ` nav-count--${tone}` : '')} aria-label={t('shell.nav.countLabel', { count })}>
            {formatCount(count)}
          </span>
        )}
      </a>
    </li>
  );
}

export function Navigation({ path, extra }: { path: string; extra: readonly NavItem[] }) {
  const { t } = useTranslation();
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
          />
        ))}
        <NavLink path="/quarantine" label={t('shell.nav.quarantine')} count={status?.quarantined} current={path.startsWith('/quarantine')} tone="warn" />
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
