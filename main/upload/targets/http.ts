/**
 * HTTP plumbing shared by the REST and WebDAV targets: the agent (TLS always verified, optional extra
 * CA, client certificate, proxy tunnel), authorisation headers, and the translation of what went
 * wrong into a SendError with a stable code. Secrets are read here and never put into messages.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import { SendError } from './types.js';

export type Secret = string | { env: string };

export type HttpAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: Secret }
  | { type: 'basic'; username: string; password: Secret }
  | { type: 'client_certificate'; certFile: string; keyFile: string; passphrase?: Secret };

export interface HttpTargetOptions {
  url: string;
  auth: HttpAuth;
  caFile?: string;
  proxy?: string;
  timeoutMs?: number;
}

export function resolveSecret(secret: Secret, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof secret === 'string') return secret;
  const value = env[secret.env];
  if (!value) throw new SendError('secret_missing', 'permanent', `The environment variable ${secret.env} (a sending secret) is not set.`);
  return value;
}

export function authHeaders(auth: HttpAuth): Record<string, string> {
  if (auth.type === 'bearer') return { authorization: `Bearer ${resolveSecret(auth.token)}` };
  if (auth.type === 'basic') return { authorization: `Basic ${Buffer.from(`${auth.username}:${resolveSecret(auth.password)}`).toString('base64')}` };
  return {};
}

/** An agent that reaches the target through an HTTP proxy's CONNECT tunnel (TLS stays end to end). */
function tunnel<A extends http.Agent>(agent: A, proxy: URL, secure: boolean): A {
  const proxyAuth = proxy.username ? { 'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` } : {};
  type Callback = (error: Error | null, socket?: net.Socket) => void;
  (agent as unknown as { createConnection: (options: tls.ConnectionOptions & { host: string; port: number }, callback: Callback) => undefined }).createConnection = (options, callback) => {
    const request = http.request({
      host: proxy.hostname,
      port: Number(proxy.port) || 80,
      method: 'CONNECT',
      path: `${options.host}:${options.port}`,
      headers: { host: `${options.host}:${options.port}`, ...proxyAuth },
    });
    let done = false;
    const finish: Callback = (error, socket) => {
      if (done) return;
      done = true;
      callback(error, socket);
    };
    request.once('connect', (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        finish(Object.assign(new Error(`The proxy refused the tunnel (HTTP ${response.statusCode}).`), { code: 'EPROXY' }));
        return;
      }
      if (!secure) return finish(null, socket);
      const secured = tls.connect({ ...options, socket, servername: options.servername ?? options.host });
      secured.once('secureConnect', () => finish(null, secured));
      secured.once('error', (error) => finish(error));
    });
    request.once('error', (error) => finish(error));
    request.end();
    return undefined;
  };
  return agent;
}

/** The part of a fetch Response the targets read (node-fetch's and the WHATWG Response both fit). */
export interface HttpResponseLike {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface HttpFetchInit {
  method?: string;
  headers: Record<string, string>;
  body?: Readable | string;
  signal: AbortSignal;
  redirect?: 'error';
}

/**
 * The one HTTP call a target makes. Injected so the Electron core can send through Chromium's
 * net.fetch (the system's proxy and certificate store) while the headless station uses node-fetch.
 */
export type HttpFetch = (url: string, init: HttpFetchInit) => Promise<HttpResponseLike>;

/**
 * node-fetch, loaded on the first send: a station that sends nothing (the one-shot CLI) need not
 * load it (about 0.2 s of CPU at start).
 */
export function loadNodeFetch(): Promise<typeof import('node-fetch').default> {
  return import('node-fetch').then((module) => module.default);
}

/** node-fetch through our own agent: the only client that can present a client certificate, an extra CA or a configured proxy. */
export function nodeFetchClient(agent: http.Agent): HttpFetch {
  return async (url, init) => (await loadNodeFetch())(url, { method: init.method, agent, signal: init.signal, redirect: init.redirect, headers: init.headers, body: init.body as never });
}

/** The minimal WHATWG fetch signature (Electron's net.fetch, Node's global fetch). */
export type WebFetch = (url: string, init: { method?: string; headers: Record<string, string>; body?: Uint8Array<ArrayBuffer> | string; signal: AbortSignal; redirect?: 'error' }) => Promise<HttpResponseLike>;

/**
 * Adapts a WHATWG fetch (Electron's net.fetch) to HttpFetch. A stream body is read into memory first:
 * one PDF is a few megabytes at most, and a streamed request body would need `duplex: 'half'` and
 * chunked encoding, which some receiving servers and proxies refuse. Content-Length is a forbidden
 * header for WHATWG fetch; the client sets it itself from the buffer.
 */
export function webFetchClient(webFetch: WebFetch): HttpFetch {
  return async (url, init) => {
    const headers = Object.fromEntries(Object.entries(init.headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
    let body: Uint8Array<ArrayBuffer> | string | undefined;
    if (init.body instanceof Readable) {
      const chunks: Buffer[] = [];
      for await (const chunk of init.body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
      body = new Uint8Array(Buffer.concat(chunks));
    } else body = init.body;
    return webFetch(url, { method: init.method, headers, body, signal: init.signal, redirect: init.redirect });
  };
}

/** TLS is always verified: rejectUnauthorized is never switched off, extra CAs are added to the system's. */
export function createAgent(options: HttpTargetOptions): http.Agent {
  const url = new URL(options.url);
  const secure = url.protocol === 'https:';
  let agent: http.Agent;
  if (secure) {
    const tlsOptions: https.AgentOptions = { keepAlive: true, rejectUnauthorized: true };
    if (options.caFile) tlsOptions.ca = [...tls.rootCertificates, fs.readFileSync(options.caFile, 'utf8')];
    if (options.auth.type === 'client_certificate') {
      tlsOptions.cert = fs.readFileSync(options.auth.certFile);
      tlsOptions.key = fs.readFileSync(options.auth.keyFile);
      if (options.auth.passphrase) tlsOptions.passphrase = resolveSecret(options.auth.passphrase);
    }
    agent = new https.Agent(tlsOptions);
  } else {
    agent = new http.Agent({ keepAlive: true });
  }
  return options.proxy ? tunnel(agent, new URL(options.proxy), secure) : agent;
}

const networkCodes: Record<string, string> = {
  ECONNREFUSED: 'connection_refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  ECONNABORTED: 'connection_reset',
  ETIMEDOUT: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENETDOWN: 'unreachable',
  EPROXY: 'proxy',
};

const networkMessages: Record<string, string> = {
  connection_refused: 'The target refused the connection (is the server running?).',
  dns: 'The target host name could not be resolved (network or DNS down?).',
  connection_reset: 'The connection to the target broke off during the transfer.',
  unreachable: 'The target cannot be reached (network down?).',
  proxy: 'The proxy did not open a tunnel to the target.',
  timeout: 'The target did not answer in time.',
  network: 'The target could not be reached.',
};

/** Turns a thrown fetch/socket error into a SendError; `timedOut` says our own timer aborted it. */
export function classifyNetworkError(error: unknown, timedOut: boolean): SendError {
  if (error instanceof SendError) return error;
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (timedOut || e.name === 'AbortError' || e.name === 'TimeoutError') return new SendError('timeout', 'network', networkMessages.timeout);
  const code = e.code ?? e.cause?.code ?? '';
  if (/ALERT|HANDSHAKE/i.test(code)) {
    return new SendError('tls_refused', 'permanent', `The target refused the station's TLS connection (${code}); is the client certificate right?`);
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/i.test(code)) {
    return new SendError('tls_untrusted', 'permanent', `The target's TLS certificate is not trusted (${code}).`);
  }
  const mapped = networkCodes[code] ?? (/socket hang up|premature close/i.test(e.message ?? '') ? 'connection_reset' : 'network');
  return new SendError(mapped, 'network', networkMessages[mapped]);
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds (capped at one hour). */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(Math.max(0, ms), 3_600_000);
}

/** A non-2xx answer: temporary (retry later) or permanent (needs attention now). */
export function statusError(status: number, retryAfter: string | null, what: string): SendError {
  const extra = { httpStatus: status, retryAfterMs: parseRetryAfter(retryAfter) };
  if (status === 408 || status === 429 || status >= 500) {
    const reason = status === 503 ? 'is temporarily unavailable' : status === 429 ? 'asks to slow down' : `failed (HTTP ${status})`;
    return new SendError(`http_${status}`, 'retry', `The ${what} ${reason}; the station tries again later.`, extra);
  }
  if (status === 401 || status === 403) return new SendError('unauthorized', 'permanent', `The ${what} refused the station's credentials (HTTP ${status}).`, extra);
  if (status === 413) return new SendError('too_large', 'permanent', `The ${what} does not accept a document this large (HTTP 413).`, extra);
  if (status === 409) return new SendError('conflict', 'permanent', `The ${what} already holds a different document under this document id (HTTP 409).`, extra);
  return new SendError('rejected', 'permanent', `The ${what} rejected the document (HTTP ${status}).`, extra);
}

/** Runs `work` with an abort signal that fires after timeoutMs or when `outer` aborts; tells which. */
export async function withTimeout<T>(outer: AbortSignal, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  outer.addEventListener('abort', onAbort, { once: true });
  try {
    return await work(controller.signal);
  } catch (error) {
    throw classifyNetworkError(error, timedOut);
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onAbort);
  }
}
