/**
 * Server-Sent Events for browser mode: one subscription to the station's UI events, fanned out to
 * every open stream, with a heartbeat so proxies and the browser notice a dead connection.
 */
import type { ServerResponse } from 'node:http';
import type { Station } from '../station.js';
import type { StationEvent } from '../../preload/contract/events.js';
import { subscribeUiEvents } from '../api/events.js';
import { API_HEADERS } from './headers.js';

export class EventStreamHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(station: Station, options: { heartbeatMs?: number } = {}) {
    this.unsubscribe = subscribeUiEvents(station, (event) => this.broadcast(event));
    this.heartbeat = setInterval(() => this.write(`: heartbeat ${Date.now()}\n\n`), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  open(response: ServerResponse): void {
    response.writeHead(200, {
      ...API_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // The browser reconnects after this long if the stream drops; a comment opens the stream at once.
    response.write('retry: 2000\n: connected\n\n');
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  broadcast(event: StationEvent): void {
    this.write(`data: ${JSON.stringify(event)}\n\n`);
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private write(chunk: string): void {
    for (const client of this.clients) {
      if (!client.writableEnded) client.write(chunk);
    }
  }
}
