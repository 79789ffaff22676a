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
  progress: ProgressEvent | undefined;
  sending: SendingEvent | undefined;
  /** False when the station itself cannot be reached. */
  connected: boolean;
}

const StatusContext = createContext<StationStatusState>({ status: undefined, sentToday: undefined, progress: undefined, sending: undefined, connected: true });

export function startOfToday(now = new Date()): string {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}

export function StationStatusProvider({ children }: { children: ReactNode }) {
  const [progress, setProgress] = useState<ProgressEvent>();
  const [sending, setSending] = useState<SendingEvent>();
  const statusEvents = ['documents-changed', 'quarantine-changed'] as const;
  const status = useStationQuery('getStatus', {}, [], { events: statusEvents });
  const today = startOfToday();
  const sent = useStationQuery('listDocuments', { states: ['uploaded'], changedSince: today, limit: 1 }, [today], { events: statusEvents });
  useStationEvents((event) => {
    if (event.type === 'progress') setProgress(event);
    else if (event.type === 'sending') setSending(event);
  });
  const connected = status.error?.code !== 'offline';
  const value = useMemo(
    () => ({ status: status.data, sentToday: sent.data?.total, progress, sending, connected }),
    [status.data, sent.data, progress, sending, connected],
  );
  return <StatusContext.Provider value={value}>{children}</StatusContext.Provider>;
}

export function useStationStatus(): StationStatusState {
  return useContext(StatusContext);
}
