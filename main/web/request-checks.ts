/**
 * Browser mode's gatekeeping as small pure functions over `unknown` (tested with hostile input):
 * who may talk to the station on 127.0.0.1. Another local user or a web page in any browser can
 * reach a loopback port, so every request must carry this launch's token, name our host exactly
 * (no DNS rebinding), come from our origin (no cross-site requests) and from a loopback address.
 */
import crypto from 'node:crypto';

export interface Refusal {
  status: 400 | 401 | 403 | 404 | 405 | 413;
  code: string;
  message: string;
}

export interface ServerIdentity {
  port: number;
  token: string;
}

export const MAX_BODY_BYTES = 1024 * 1024;

/** 32 random bytes, base64url: unguessable, and safe in a URL and a cookie. */
export function generateToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** One header's value, or undefined when absent, repeated (an array) or not text. */
function single(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function present(headers: unknown, name: string): boolean {
  return typeof headers === 'object' && headers !== null && (headers as Record<string, unknown>)[name] !== undefined;
}

export function isLoopbackAddress(address: unknown): boolean {
  if (typeof address !== 'string') return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  const match = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v4);
  return !!match && match.slice(1).every((octet) => Number(octet) <= 255);
}

function validPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536;
}

/** The Host header must name us exactly: a rebinding attacker's name resolving to 127.0.0.1 is refused. */
export function isAllowedHost(host: unknown, port: number): boolean {
  if (typeof host !== 'string' || !validPort(port)) return false;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export function ourOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** No Origin (a plain navigation or same-origin GET) is fine; any other origin, including "null", is not. */
export function isAllowedOrigin(origin: unknown, port: number): boolean {
  if (origin === undefined) return true;
  return typeof origin === 'string' && ourOrigins(port).includes(origin);
}

/** Cookies are not separated by port: the name carries it, so two stations on one machine do not clash. */
export function cookieName(port: number): string {
  return `station_${port}`;
}

export function parseCookies(header: unknown): Map<string, string> {
  const cookies = new Map<string, string>();
  if (typeof header !== 'string' || header.length > 8192) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** Constant-time comparison, so the token cannot be found a character at a time. */
export function tokenMatches(candidate: unknown, token: string): boolean {
  if (typeof candidate !== 'string' || !TOKEN_SHAPE.test(candidate) || !TOKEN_SHAPE.test(token)) return false;
  return crypto.timingSafeEqual(Buffer.from(candidate), Buffer.from(token));
}

/** The token a request presents: our cookie, or `Authorization: Bearer <token>` (scripts, tests). */
export function presentedToken(headers: unknown, port: number): string | undefined {
  const authorization = single(headers, 'authorization');
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  return parseCookies(single(headers, 'cookie')).get(cookieName(port));
}

/** Checks every request gets before anything else: address, Host, Origin. */
export function checkRequestSource(request: { remoteAddress: unknown; headers: unknown }, port: number): Refusal | null {
  if (!isLoopbackAddress(request.remoteAddress)) return { status: 403, code: 'forbidden_address', message: 'Only this computer may use the station.' };
  if (!isAllowedHost(single(request.headers, 'host'), port)) return { status: 403, code: 'forbidden_host', message: 'Unexpected Host header.' };
  const origin = present(request.headers, 'origin') ? single(request.headers, 'origin') ?? null : undefined;
  if (!isAllowedOrigin(origin, port)) return { status: 403, code: 'forbidden_origin', message: 'Requests from other sites are refused.' };
  const site = single(request.headers, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { status: 403, code: 'forbidden_origin', message: 'Requests from other sites are refused.' };
  }
  return null;
}

export function checkToken(headers: unknown, identity: ServerIdentity): Refusal | null {
  return tokenMatches(presentedToken(headers, identity.port), identity.token)
    ? null
    : { status: 401, code: 'unauthorized', message: 'Open the station with the address printed when it started (it carries the access token).' };
}

/** Refuses by declared length before reading; the reader enforces the same limit on what arrives. */
export function checkBodyHeaders(headers: unknown, limit = MAX_BODY_BYTES): Refusal | null {
  const type = single(headers, 'content-type');
  const mediaType = type?.split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') return { status: 400, code: 'not_json', message: 'Send JSON (Content-Type: application/json).' };
  const length = single(headers, 'content-length');
  if (length !== undefined && (!/^\d{1,12}$/.test(length) || Number(length) > limit)) {
    return { status: 413, code: 'payload_too_large', message: `The request is larger than ${limit} bytes.` };
  }
  return null;
}

export type BodyParse = { ok: true; value: unknown } | { ok: false; refusal: Refusal };

/** An empty body means "no input" ({}); anything else must be one JSON value. */
export function parseJsonBody(body: unknown, limit = MAX_BODY_BYTES): BodyParse {
  if (!Buffer.isBuffer(body)) return { ok: false, refusal: { status: 400, code: 'bad_request', message: 'No request body.' } };
  if (body.length > limit) return { ok: false, refusal: { status: 413, code: 'payload_too_large', message: `The request is larger than ${limit} bytes.` } };
  if (body.length === 0) return { ok: true, value: {} };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return { ok: false, refusal: { status: 400, code: 'bad_json', message: 'The request body is not UTF-8 text.' } };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, refusal: { status: 400, code: 'bad_json', message: 'The request body is not valid JSON.' } };
  }
}

/** `/api/<operation>` → the operation name, if it has the shape of one (dispatch decides whether it exists). */
export function operationFromPath(pathname: unknown): string | null {
  if (typeof pathname !== 'string') return null;
  const match = /^\/api\/([A-Za-z][A-Za-z0-9]{0,63})$/.exec(pathname);
  return match ? match[1]! : null;
}
