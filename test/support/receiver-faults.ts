/**
 * The reference receiver behind a fault-injecting HTTP server on 127.0.0.1: per request (by
 * idempotency key and how often that key was seen) it answers normally or misbehaves: 500, 503 with
 * Retry-After, a 422 rejection, a stall past the client's timeout (after storing), a connection reset
 * in the middle of the body, or storing the document and dropping the reply.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReceiverApp, readBody, send, type ReceiverOptions } from '../../main/receiver/app.js';

export type Fault = 'none' | '500' | '503' | '422' | 'stall' | 'reset' | 'drop_reply';

export interface FaultyReceiver {
  app: ReceiverApp;
  url: string;
  port: number;
  /** POST requests seen per key (including faulty ones). */
  posts: Map<string, number>;
  /** Faults actually injected, in order. */
  injected: { key: string; fault: Fault }[];
  close(): Promise<void>;
}

export interface FaultOptions extends ReceiverOptions {
  fault?: (key: string, nth: number) => Fault;
  stallMs?: number;
  retryAfterSeconds?: number;
  /** Delay before each successful answer (widens the window for the crash test). */
  answerDelayMs?: number;
  port?: number;
}

export async function startFaultyReceiver(options: FaultOptions): Promise<FaultyReceiver> {
  const app = new ReceiverApp(options);
  const posts = new Map<string, number>();
  const injected: { key: string; fault: Fault }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = http.createServer(async (request, response) => {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const key = String(request.headers['idempotency-key'] ?? '');
    let fault: Fault = 'none';
    if (method === 'POST' && key) {
      const nth = (posts.get(key) ?? 0) + 1;
      posts.set(key, nth);
      fault = options.fault?.(key, nth) ?? 'none';
      if (fault !== 'none') injected.push({ key, fault });
    }
    try {
      if (fault === 'reset') {
        // Cut the connection as soon as the first part of the body has arrived.
        request.once('data', () => request.socket.destroy());
        return;
      }
      if (fault === '500' || fault === '503' || fault === '422') {
        request.resume();
        await new Promise((resolve) => request.on('end', resolve));
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault === '503') headers['retry-after'] = String(options.retryAfterSeconds ?? 1);
        response.writeHead(Number(fault), headers);
        response.end(JSON.stringify({ code: `fault_${fault}`, message: 'Injected fault.' }));
        return;
      }
      const body = await readBody(request, app.maxBytes);
      const answer = await app.handle({ method, url, headers: request.headers, body });
      if (fault === 'drop_reply') {
        request.socket.destroy();
        return;
      }
      if (fault === 'stall') await later(options.stallMs ?? 5_000);
      else if (options.answerDelayMs && method === 'POST') await later(options.answerDelayMs);
      if (!request.socket.destroyed) send(response, answer);
    } catch {
      if (!request.socket.destroyed) request.socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    port,
    posts,
    injected,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
