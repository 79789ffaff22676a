/**
 * React access to the station: one subscription to its events, queries that ask again when a
 * relevant event arrives (events say what changed, never the data), and calls for actions.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { InputOf, OperationName, Operations, OutputOf, Result, StationEvent, StationEventType } from '../../../preload/contract/index';
import { getStationApi } from '../station-client';

export type StationError = { code: string; message: string };

let sequence = 0;
/**
 * A number that grows with every query asked and every call to this: a screen that also gets data
 * from its own calls (an edit answers with the document as it is now) compares it with a query
 * answer's `dataAsked` to drop answers to questions asked before that call's answer came.
 */
export function nextSequence(): number {
  return ++sequence;
}

/** Calls one operation; never throws (a lost connection becomes the 'offline' code). */
export async function callStation<N extends OperationName>(name: N, input: InputOf<Operations[N]>): Promise<Result<OutputOf<Operations[N]>>> {
  try {
    return await getStationApi().call(name, input);
  } catch (error) {
    return { ok: false, code: 'offline', message: (error as Error).message };
  }
}

/** Runs `listener` for every station event while the component is mounted. */
export function useStationEvents(listener: (event: StationEvent) => void): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => getStationApi().subscribe((event) => latest.current(event)), []);
}

export interface QueryOptions {
  /** Event types that make this query ask again (default: all but 'progress' and 'sending'). */
  events?: readonly StationEventType[] | ((event: StationEvent) => boolean);
  /** Skip the query while false (e.g. no id yet). */
  enabled?: boolean;
}

export interface QueryState<T, I = unknown> {
  data: T | undefined;
  /** The input `data` was asked for: differs from the current input while a newer answer is on its way. */
  dataFor: I | undefined;
  /** When `data` was asked for (nextSequence()). */
  dataAsked: number | undefined;
  error: StationError | undefined;
  loading: boolean;
  reload: () => void;
}

const defaultEvents: StationEventType[] = ['documents-changed', 'quarantine-changed', 'customers-changed'];

function relevant(options: QueryOptions | undefined, event: StationEvent): boolean {
  const events = options?.events ?? defaultEvents;
  return typeof events === 'function' ? events(event) : events.includes(event.type);
}

/**
 * Asks the station `name(input)` when `deps` change and again when a relevant event arrives. At most
 * one request is in flight: events during a request cause exactly one more afterwards, so a burst
 * of 200 events during a batch costs two requests, not 200.
 */
export function useStationQuery<N extends OperationName>(
  name: N,
  input: InputOf<Operations[N]>,
  deps: readonly unknown[],
  options?: QueryOptions,
): QueryState<OutputOf<Operations[N]>, InputOf<Operations[N]>> {
  const [answer, setAnswer] = useState<{ data: OutputOf<Operations[N]>; input: InputOf<Operations[N]>; asked: number } | undefined>(undefined);
  const [error, setError] = useState<StationError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const inputRef = useRef(input);
  inputRef.current = input;
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const flight = useRef({ running: false, again: false, generation: 0 });
  const enabled = options?.enabled ?? true;

  const run = useCallback(async () => {
    const f = flight.current;
    if (f.running) {
      f.again = true;
      return;
    }
    f.running = true;
    try {
      do {
        f.again = false;
        const asked = inputRef.current;
        const askedAt = nextSequence();
        const result = await callStation(name, asked);
        if (flight.current !== f) return; // deps changed meanwhile: a newer run owns the state.
        if (result.ok) {
          setAnswer({ data: result.value, input: asked, asked: askedAt });
          setError(undefined);
        } else {
          setError({ code: result.code, message: result.message });
        }
        setLoading(false);
      } while (f.again);
    } finally {
      f.running = false;
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name]);

  useEffect(() => {
    if (!enabled) return;
    // New inputs: forget any request in flight for the old ones.
    flight.current = { running: false, again: false, generation: flight.current.generation + 1 };
    setLoading(true);
    void run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, run, ...deps]);

  useStationEvents((event) => {
    if (enabled && relevant(optionsRef.current, event)) void run();
  });

  return { data: answer?.data, dataFor: answer?.input, dataAsked: answer?.asked, error, loading, reload: () => void run() };
}
