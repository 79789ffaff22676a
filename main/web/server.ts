/**
 * Browser mode: the staff UI and the station's operations over HTTP on 127.0.0.1 only.
 *   GET  /?token=…          sets the session cookie (HttpOnly, SameSite=Strict) and redirects to /
 *   GET  /…                 the built renderer (dist/renderer)
 *   POST /api/<operation>   JSON in, JSON Result out, through the same dispatch() as Electron's IPC
 *   GET  /api/events        Server-Sent Events (StationEvent), with heartbeats
 *   GET  /resource/…        page thumbnails, page images, PDFs (main/api/resources.ts)
 * Every request is checked first (request-checks.ts): loopback address, exact Host, our Origin,
 * then the per-launch token. Nothing is dispatched before all checks pass.
 */
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { dispatch } from '../api/dispatch.js';
import { serveResource } from '../api/resources.js';
import type { Station } from '../station.js';
import { EventStreamHub } from './event-stream.js';
import { API_HEADERS, BASE_HEADERS, HTML_HEADERS } from './headers.js';
import {
  checkBodyHeaders,
  checkRequestSource,
  checkToken,
  cookieName,
  generateToken,
  MAX_BODY_BYTES,
  operationFromPath,
  parseJsonBody,
  tokenMatches,
  type Refusal,
} from './request-checks.js';
import { contentTypeFor, defaultRendererDir, NOT_BUILT_PAGE, staticFileFor, UNAUTHORIZED_PAGE } from './static-files.js';

export interface WebServerOptions {
  station: Station;
  /** 0 (default) picks a free port. */
  port?: number;
  rendererDir?: string;
  /** Who the audit trail names for calls from this UI; defaults to the OS user. */
  actor?: string;
  token?: string;
  heartbeatMs?: number;
  maxBodyBytes?: number;
}

export interface WebServer {
  port: number;
  token: string;
  origin: string;
  /** The address to open: origin + "/?token=…". */
  url: string;
  close(): Promise<void>;
}

function osUser(): string {
  try {
    return os.userInfo().username || 'staff';
  } catch {
    return 'staff';
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...API_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra });
  response.end(text);
}

function refuse(response: ServerResponse, refusal: Refusal, extra: Record<string, string> = {}): void {
  sendJson(response, refusal.status, { ok: false, code: refusal.code, message: refusal.message }, extra);
}

/** HTTP status for a dispatch Result: the body is the Result either way. */
function statusFor(result: { ok: boolean; code?: string }): number {
  if (result.ok) return 200;
  if (result.code === 'unknown_operation') return 404;
  if (result.code === 'invalid_input') return 400;
  if (result.code === 'internal') return 500;
  return 200;
}

type BodyRead = { ok: true; body: Buffer } | { ok: false; refusal: Refusal };

/** Reads at most `limit` bytes; a longer body is refused as soon as it passes the limit. */
function readBody(request: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyRead) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        finish({ ok: false, refusal: { status: 413, code: 'payload_too_large', message: `The request is larger than ${limit} bytes.` } });
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => finish({ ok: true, body: Buffer.concat(chunks) }));
    request.on('error', () => finish({ ok: false, refusal: { status: 400, code: 'bad_request', message: 'The request could not be read.' } }));
  });
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { station } = options;
  const token = options.token ?? generateToken();
  const actor = options.actor ?? osUser();
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const hub = new EventStreamHub(station, { heartbeatMs: options.heartbeatMs });
  let port = 0;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refusal = checkRequestSource({ remoteAddress: request.socket.remoteAddress, headers: request.headers }, port);
    if (refusal) return refuse(response, refusal);

    const rawUrl = request.url ?? '';
    if (!rawUrl.startsWith('/') || rawUrl.startsWith('//')) return refuse(response, { status: 400, code: 'bad_request', message: 'Bad request target.' });
    const queryAt = rawUrl.indexOf('?');
    const pathname = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1));
    const method = request.method ?? '';

    // First load: the token from the printed address becomes an HttpOnly cookie, and leaves the address bar.
    if (method === 'GET' && pathname === '/' && query.has('token')) {
      if (!tokenMatches(query.get('token'), token)) return refuse(response, { status: 401, code: 'unauthorized', message: 'This access token is not valid (any more). Use the address the station printed when it started.' });
      response.writeHead(303, {
        ...API_HEADERS,
        Location: '/',
        'Set-Cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'Content-Length': 0,
      });
      return void response.end();
    }

    const unauthorized = checkToken(request.headers, { port, token });
    if (unauthorized) {
      // A person opening the bare address gets a page that says what to do; scripts get JSON.
      if (method === 'GET' && !pathname.startsWith('/api/') && String(request.headers.accept ?? '').includes('text/html')) {
        response.writeHead(401, { ...HTML_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
        return void response.end(UNAUTHORIZED_PAGE);
      }
      return refuse(response, unauthorized);
    }

    if (pathname.startsWith('/api/')) {
      if (pathname === '/api/events') {
        if (method !== 'GET') return refuse(response, { status: 405, code: 'method_not_allowed', message: 'Use GET for the event stream.' }, { Allow: 'GET' });
        return hub.open(response);
      }
      const name = operationFromPath(pathname);
      if (!name) return refuse(response, { status: 404, code: 'unknown_operation', message: 'There is no such operation.' });
      if (method !== 'POST') return refuse(response, { status: 405, code: 'method_not_allowed', message: 'Call operations with POST.' }, { Allow: 'POST' });
      const headerRefusal = checkBodyHeaders(request.headers, limit);
      if (headerRefusal) {
        request.resume();
        return refuse(response, headerRefusal, { Connection: 'close' });
      }
      const read = await readBody(request, limit);
      if (!read.ok) {
        request.resume();
        return refuse(response, read.refusal, { Connection: 'close' });
      }
      const parsed = parseJsonBody(read.body, limit);
      if (!parsed.ok) return refuse(response, parsed.refusal);
      const result = await dispatch({ station, actor }, name, parsed.value);
      return sendJson(response, statusFor(result), result);
    }

    if (method !== 'GET' && method !== 'HEAD') return refuse(response, { status: 405, code: 'method_not_allowed', message: 'Only GET is allowed here.' }, { Allow: 'GET, HEAD' });

    if (pathname.startsWith('/resource/')) {
      const resource = await serveResource(station, pathname);
      if (resource.status !== 200) return refuse(response, { status: 404, code: 'not_found', message: 'No such resource.' });
      const headers = { ...API_HEADERS, 'Content-Type': resource.contentType };
      if ('body' in resource) {
        response.writeHead(200, { ...headers, 'Content-Length': resource.body.length });
        return void response.end(method === 'HEAD' ? undefined : resource.body);
      }
      response.writeHead(200, { ...headers, 'Content-Length': resource.size });
      if (method === 'HEAD') return void response.end();
      fs.createReadStream(resource.file)
        .on('error', () => response.destroy())
        .pipe(response);
      return;
    }

    const file = staticFileFor(rendererDir, pathname);
    if (!file) return refuse(response, { status: 404, code: 'not_found', message: 'Not found.' });
    let data: Buffer;
    try {
      data = await fs.promises.readFile(file);
    } catch {
      if (file.endsWith('index.html')) {
        response.writeHead(200, { ...HTML_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
        return void response.end(method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
      }
      return refuse(response, { status: 404, code: 'not_found', message: 'Not found.' });
    }
    const type = contentTypeFor(file);
    const headers = type.startsWith('text/html') ? HTML_HEADERS : { ...BASE_HEADERS, 'Cache-Control': 'no-cache' };
    response.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': data.length });
    response.end(method === 'HEAD' ? undefined : data);
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      station.emit('problem', { message: `Browser-mode request failed: ${error.message}` });
      if (!response.headersSent) refuse(response, { status: 400, code: 'bad_request', message: 'The request could not be handled.' });
      else response.destroy();
    });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    port,
    token,
    origin,
    url: `${origin}/?token=${token}`,
    close: async () => {
      hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
