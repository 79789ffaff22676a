/**
 * The documents of one queue view, fetched in pages of PAGE_SIZE as the list scrolls (the station
 * filters and pages in SQL). On a documents-changed event the pages in view are asked for again
 * and all others forgotten, so a batch arriving never means re-reading 10,000 rows.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DocumentSummaryView } from '../../../../preload/contract/documents';
import { callStation, useStationEvents, type StationError } from '../../hooks/useStation';
import { startOfToday } from '../../shell/station-status';
import { queueViews, type QueueViewId } from './queue-views';

export const PAGE_SIZE = 200;

export interface PagedDocuments {
  total: number | undefined;
  /** The document at this index if its page is loaded. */
  at: (index: number) => DocumentSummaryView | undefined;
  /** Where a document sits among the loaded rows, or -1. */
  indexOf: (id: string) => number;
  /** Asks for the pages covering [first, last] (visible rows) if they are not loaded. */
  ensure: (first: number, last: number) => void;
  error: StationError | undefined;
  /** Increments whenever loaded data changes (for memoised renders). */
  version: number;
}

export function usePagedDocuments(view: QueueViewId): PagedDocuments {
  const [total, setTotal] = useState<number>();
  const [error, setError] = useState<StationError>();
  const [version, setVersion] = useState(0);
  const pages = useRef(new Map<number, DocumentSummaryView[]>());
  const loading = useRef(new Map<number, number>()); // page → generation it was asked for in
  const generation = useRef(0);
  const visible = useRef<[number, number]>([0, 0]);
  const dirty = useRef(false);

  const load = useCallback(
    async (page: number) => {
      const asked = generation.current;
      if (loading.current.get(page) === asked) return;
      loading.current.set(page, asked);
      const spec = queueViews[view];
      const result = await callStation('listDocuments', {
        states: spec.states,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
        ...('todayOnly' in spec && spec.todayOnly ? { changedSince: startOfToday() } : {}),
      });
      if (loading.current.get(page) === asked) loading.current.delete(page);
      if (asked !== generation.current) return; // Superseded by a refresh.
      if (!result.ok) {
        setError({ code: result.code, message: result.message });
        return;
      }
      setError(undefined);
      pages.current.set(page, result.value.items);
      setTotal(result.value.total);
      setVersion((v) => v + 1);
    },
    [view],
  );

  const pagesFor = (first: number, last: number) => {
    const out: number[] = [];
    for (let p = Math.floor(Math.max(0, first) / PAGE_SIZE); p <= Math.floor(Math.max(0, last) / PAGE_SIZE); p++) out.push(p);
    return out;
  };

  const ensure = useCallback(
    (first: number, last: number) => {
      visible.current = [first, last];
      for (const page of pagesFor(first, last)) if (!pages.current.has(page)) void load(page);
    },
    [load],
  );

  /** Re-reads the pages in view under a new generation; the old rows stay shown until then. */
  const refresh = useCallback(async () => {
    generation.current++;
    const keep = new Set(pagesFor(...visible.current));
    for (const page of [...pages.current.keys()]) if (!keep.has(page)) pages.current.delete(page);
    await Promise.all([...keep].map((page) => load(page)));
  }, [load]);

  // A burst of events becomes one refresh at a time, plus one more if something changed meanwhile.
  const refreshing = useRef(false);
  const requestRefresh = useCallback(async () => {
    if (refreshing.current) {
      dirty.current = true;
      return;
    }
    refreshing.current = true;
    try {
      do {
        dirty.current = false;
        await refresh();
      } while (dirty.current);
    } finally {
      refreshing.current = false;
    }
  }, [refresh]);

  useEffect(() => {
    pages.current.clear();
    loading.current.clear();
    generation.current++;
    visible.current = [0, 0];
    setTotal(undefined);
    setVersion((v) => v + 1);
    void load(0);
  }, [view, load]);

  useStationEvents((event) => {
    if (event.type === 'documents-changed') void requestRefresh();
  });

  const at = useCallback((index: number) => pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE], []);
  const indexOf = useCallback((id: string) => {
    for (const [page, items] of pages.current) {
      const i = items.findIndex((doc) => doc.id === id);
      if (i >= 0) return page * PAGE_SIZE + i;
    }
    return -1;
  }, []);
  return { total, at, indexOf, ensure, error, version };
}
