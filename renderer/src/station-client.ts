/**
 * The renderer's one way to the station. In Electron the preload exposes `window.station` (IPC);
 * in browser mode the same StationApi is built on same-origin HTTP: `POST /api/<operation>` with
 * the session cookie, and Server-Sent Events from `/api/events`, reconnected when they drop.
 */
import type { OperationName, Result, StationApi, StationEvent } from '../../preload/contract/index.js';

type Listener = (event: StationEvent) => void;

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record.ok === true ? 'value' in record : record.ok === false && typeof record.code === 'string' && typeof record.message === 'string';
}

function isStationEvent(value: unknown): value is StationEvent {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

async function callOverHttp(name: OperationName, input: unknown): Promise<Result<unknown>> {
  let response: Response;
  try {
    response = await fetch(`/api/${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(input ?? {}),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    return { ok: false, code: 'offline', message: 'The station cannot be reached. Is it still running?' };
  }
  const body: unknown = await response.json().catch(() => null);
  if (isResult(body)) return body;
  return { ok: false, code: response.status === 401 ? 'unauthorized' : 'http_error', message: `The station answered HTTP ${response.status}.` };
}

/** One EventSource shared by all subscribers, opened on the first and closed with the last. */
class EventStream {
  private readonly listeners = new Set<Listener>();
  private source: EventSource | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryMs = 1000;
  private hadConnection = false;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.open();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  private emit(event: StationEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('A station event listener failed', error);
      }
    }
  }

  private open(): void {
    const source = new EventSource('/api/events', { withCredentials: true });
    this.source = source;
    source.onopen = () => {
      this.retryMs = 1000;
      // Events may have been missed while the stream was down: everyone re-reads.
      if (this.hadConnection) {
        this.emit({ type: 'documents-changed', ids: [] });
        this.emit({ type: 'quarantine-changed' });
      }
      this.hadConnection = true;
    };
    source.onmessage = (message: MessageEvent<string>) => {
      let event: unknown;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (isStationEvent(event)) this.emit(event);
    };
    source.onerror = () => {
      // The browser retries by itself unless the stream is closed for good (e.g. the station restarted).
      if (source.readyState !== EventSource.CLOSED) return;
      source.close();
      if (this.source !== source || this.listeners.size === 0) return;
      this.source = null;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (this.listeners.size > 0) this.open();
      }, this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    };
  }

  private close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.source?.close();
    this.source = null;
  }
}

function httpStationApi(): StationApi {
  const events = new EventStream();
  return {
    call: ((name: OperationName, input: unknown) => callOverHttp(name, input)) as StationApi['call'],
    subscribe: (listener) => events.subscribe(listener),
  };
}

let api: StationApi | null = null;

export function getStationApi(): StationApi {
  if (api) return api;
  api = typeof window !== 'undefined' && window.station ? window.station : httpStationApi();
  return api;
}
