/**
 * Station-wide state the shell shows everywhere: counts per queue state (and "sent today"), the
 * latest processing progress and sending status. One provider, so the navigation and the status
 * bar share one set of requests.
 */
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { StationEvent } from '../../../preload/contract/index';
import type { StationStatusView } from '../../../preload/contract/station';
import { useStationEvents, useStationQuery } from '../hooks/useStation';

type ProgressEvent = Extract<StationEvent, { type: 'progress' }>;
type SendingEvent = Extract<StationEvent, { type: 'sending' }>;

export interface StationStatusState {
  status: StationStatusView | undefined;
  /** Documents uploaded since local midnight. */
  sentToday: number | undefined;
  /** When the last document was sent (ISO), if any is still on record. */
  lastSentAt: string | undefined;
  progress: ProgressEvent | undefined;
  sending: SendingEvent | undefined;
  /** False when the station itself cannot be reached. */
  connected: boolean;
}

const StatusContext = createContext<StationStatusState>({ status: undefined, sentToday: undefined, lastSentAt: undefined, progress: undefined, sending: undefined, connected: true });

export function startOfToday(now = new Date()): string {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}

export function StationStatusProvider({ children }: { children: ReactNode }) {
  const [progress, setProgress] = useState<ProgressEvent>();
  const [sending, setSending] = useState<SendingEvent>();
  const statusEvents = ['documents-changed', 'quarantine-changed'] as const;
  // The status names the watched folders, which a saved setting changes at once.
  const status = useStationQuery('getStatus', {}, [], { events: [...statusEvents, 'settings-changed'] });
  const today = startOfToday();
  const sent = useStationQuery('listDocuments', { states: ['uploaded'], changedSince: today, limit: 1 }, [today], { events: statusEvents });
  const lastSent = useStationQuery('listDocuments', { states: ['uploaded', 'purged'], order: 'changed', limit: 1 }, [], { events: statusEvents });
  // The sending status as it is now; afterwards 'sending' events keep it current.
  const sendingNow = useStationQuery('getSendingStatus', {}, [], { events: [] });
  useStationEvents((event) => {
    if (event.type === 'progress') setProgress(event);
    else if (event.type === 'sending') setSending(event);
  });
  const connected = status.error?.code !== 'offline';
  const initialSending = sendingNow.data;
  const currentSending: SendingEvent | undefined =
    sending ?? (initialSending ? { type: 'sending', online: initialSending.online, paused: initialSending.paused, active: initialSending.active, waiting: initialSending.waiting } : undefined);
  const lastSentAt = lastSent.data?.items[0]?.updatedAt;
  const value = useMemo(
    () => ({ status: status.data, sentToday: sent.data?.total, lastSentAt, progress, sending: currentSending, connected }),
    [status.data, sent.data, lastSentAt, progress, currentSending, connected],
  );
  return <StatusContext.Provider value={value}>{children}</StatusContext.Provider>;
}

export function useStationStatus(): StationStatusState {
  return useContext(StatusContext);
}
