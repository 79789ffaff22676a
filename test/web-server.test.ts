/**
 * Browser mode over real HTTP on 127.0.0.1 against a real station (temp data folder, real hot
 * folder, real SQLite): the token handshake, operations through dispatch, the event stream, page
 * and PDF resources, and every refusal, sent as an attacker would send it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { parseConfig } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';
import { startWebServer, type WebServer } from '../main/web/server.js';
import {
  checkBodyHeaders,
  checkRequestSource,
  generateToken,
  isAllowedHost,
  isAllowedOrigin,
  isLoopbackAddress,
  operationFromPath,
  parseCookies,
  parseJsonBody,
  presentedToken,
  tokenMatches,
} from '../main/web/request-checks.js';
import { parseResourcePath } from '../main/api/resources.js';
import { staticFileFor } from '../main/web/static-files.js';
import { ProgressTracker, subscribeUiEvents } from '../main/api/events.js';
import { renderPageFile } from './fixtures/pages.js';
import { openEventStream, request } from './support/http.js';
import { waitFor } from './support/station-process.js';

let root: string;
let hot: string;
let station: Station;
let server: WebServer;
let cookie: string;
const rendererDir = () => path.join(root, 'renderer');

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-web-'));
  hot = path.join(root, 'hot');
  fs.mkdirSync(hot);
  // A stand-in for the built renderer: the server must serve whatever vite wrote, byte for byte.
  fs.mkdirSync(path.join(rendererDir(), 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir(), 'index.html'), '<!doctype html><html><head><script type="module" src="./assets/app.js"></script></head><body>station ui</body></html>');
  fs.writeFileSync(path.join(rendererDir(), 'assets', 'app.js'), 'console.log("app");');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'outside the renderer');
  const config = parseConfig(
    {
      stationId: 'web-test',
      hotFolders: [{ path: hot, profile: { colourMode: 'bw', grouping: { rule: 'per_file', quietWindowMs: 0 } } }],
      watcher: { stableWindowMs: 200, pollIntervalMs: 50, reconcileIntervalMs: 500 },
      imaging: { workers: 1 },
    },
    'test',
  );
  station = createStation({ dataDir: path.join(root, 'data'), config, incompleteGraceMs: 0 });
  await station.start();
  server = await startWebServer({ station, port: 0, rendererDir: rendererDir(), heartbeatMs: 150, actor: 'tester' });
  const login = await request(server.port, `/?token=${server.token}`);
  cookie = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
});

afterAll(async () => {
  await server?.close();
  await station?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const authed = (extra: Record<string, string> = {}) => ({ Cookie: cookie, ...extra });
const post = (op: string, body: unknown, headers: Record<string, string> = {}) =>
  request(server.port, `/api/${op}`, { method: 'POST', headers: authed({ 'Content-Type': 'application/json', ...headers }), body: JSON.stringify(body) });

describe('browser mode: token handshake', () => {
  it('binds 127.0.0.1 only and prints a tokened URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('turns the token into an HttpOnly SameSite=Strict cookie and sends the browser to /', async () => {
    const login = await request(server.port, `/?token=${server.token}`);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toContain(`station_${server.port}=${server.token}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const page = await request(server.port, '/', { headers: authed() });
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('station ui');
    const csp = String(page.headers['content-security-policy']);
    for (const directive of ["default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'", "img-src 'self' blob: data:"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const script = await request(server.port, '/assets/app.js', { headers: authed() });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('refuses a wrong, missing, or other port\'s token with 401', async () => {
    const wrong = generateToken();
    expect((await request(server.port, `/?token=${wrong}`)).status).toBe(401);
    expect((await request(server.port, '/?token=')).status).toBe(401);
    expect((await request(server.port, '/')).status).toBe(401);
    const person = await request(server.port, '/', { headers: { Accept: 'text/html,application/xhtml+xml' } });
    expect(person.status).toBe(401);
    expect(person.headers['content-type']).toMatch(/^text\/html/);
    expect(person.headers['content-security-policy']).toContain("default-src 'self'");
    expect(person.body.toString()).toContain('?token=');
    expect(person.body.toString()).not.toContain(server.token);
    expect((await request(server.port, '/', { headers: { Cookie: `station_${server.port}=${wrong}` } })).status).toBe(401);
    expect((await request(server.port, '/', { headers: { Cookie: `station_1=${server.token}` } })).status).toBe(401);
    const noToken = await request(server.port, '/api/getStatus', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(noToken.status).toBe(401);
    expect(noToken.json()).toMatchObject({ ok: false, code: 'unauthorized' });
    expect((await request(server.port, '/api/events')).status).toBe(401);
    expect((await request(server.port, '/resource/document/x.pdf')).status).toBe(401);
    // A bearer token works for scripts; a wrong one does not.
    const bearer = await request(server.port, '/api/getStatus', { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(bearer.status).toBe(200);
    expect((await request(server.port, '/api/getStatus', { method: 'POST', headers: { Authorization: `Bearer ${wrong}`, 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(401);
  });

  it('is not reachable from another address of this machine', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!external) return; // No other address to try from on this machine.
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: external.address, port: server.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

describe('browser mode: operations', () => {
  it('answers getStatus and listDocuments through dispatch, never cached', async () => {
    const status = await post('getStatus', {});
    expect(status.status).toBe(200);
    expect(status.headers['cache-control']).toBe('no-store');
    const body = status.json();
    expect(body.ok).toBe(true);
    expect(body.value.stationId).toBe('web-test');
    expect(body.value.hotFolders[0]).toMatchObject({ path: hot, watching: true });
    const list = await post('listDocuments', { limit: 10 });
    expect(list.json()).toMatchObject({ ok: true, value: { items: expect.any(Array), total: expect.any(Number) } });
  });

  it('maps unknown operations to 404 and invalid input to 400 naming the field', async () => {
    const unknown = await post('dropDatabase', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ ok: false, code: 'unknown_operation' });
    const invalid = await post('listDocuments', { limit: 'all' });
    expect(invalid.status).toBe(400);
    expect(invalid.json().code).toBe('invalid_input');
    expect(invalid.json().message).toContain('limit');
    const extra = await post('getStatus', { sneaky: true });
    expect(extra.status).toBe(400);
    expect(extra.json().message).toContain('sneaky');
  });
});

describe('browser mode: refusals', () => {
  const documentsNow = () => JSON.stringify(station.store.documents.list());

  it('refuses foreign Host headers (DNS rebinding) with 403', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, `127.0.0.1`, `localhost.evil.example:${server.port}`, `127.0.0.1:${server.port}.evil`, `[::1]:${server.port}`]) {
      const response = await request(server.port, '/api/getStatus', { method: 'POST', host, headers: authed({ 'Content-Type': 'application/json' }), body: '{}' });
      expect(response.status, host).toBe(403);
      expect(response.json().code).toBe('forbidden_host');
    }
    // Node itself refuses an HTTP/1.1 request without Host (400); either way it never reaches the station.
    expect([400, 403]).toContain((await request(server.port, '/', { noHost: true, headers: authed() })).status);
    expect((await request(server.port, '/', { host: `localhost:${server.port}`, headers: authed() })).status).toBe(200);
  });

  it('refuses foreign origins with 403, and accepts our own', async () => {
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`, `http://127.0.0.1:${server.port}/`, '']) {
      const response = await post('getStatus', {}, { Origin: origin });
      expect(response.status, origin).toBe(403);
      expect(response.json().code).toBe('forbidden_origin');
    }
    expect((await post('getStatus', {}, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await post('getStatus', {}, { 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    expect((await post('getStatus', {}, { Origin: `http://127.0.0.1:${server.port}`, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
  });

  it('refuses oversized bodies (declared or streamed) with 413 and changes nothing', async () => {
    const before = documentsNow();
    const big = JSON.stringify({ limit: 1, padding: 'x'.repeat(1024 * 1024) });
    const declared = await post('listDocuments', JSON.parse(big));
    expect(declared.status).toBe(413);
    expect(declared.json().code).toBe('payload_too_large');
    const streamed = await request(server.port, '/api/listDocuments', { method: 'POST', chunked: true, headers: authed({ 'Content-Type': 'application/json' }), body: big });
    expect(streamed.status).toBe(413);
    expect(documentsNow()).toBe(before);
  });

  it('refuses non-JSON with 400 and wrong methods with 405', async () => {
    const before = documentsNow();
    const broken = await request(server.port, '/api/getStatus', { method: 'POST', headers: authed({ 'Content-Type': 'application/json' }), body: '{"a":' });
    expect(broken.status).toBe(400);
    expect(broken.json().code).toBe('bad_json');
    const form = await request(server.port, '/api/getStatus', { method: 'POST', headers: authed({ 'Content-Type': 'application/x-www-form-urlencoded' }), body: 'a=1' });
    expect(form.status).toBe(400);
    const plain = await request(server.port, '/api/getStatus', { method: 'POST', headers: authed({ 'Content-Type': 'text/plain' }), body: '{}' });
    expect(plain.status).toBe(400);
    const latin = await request(server.port, '/api/getStatus', { method: 'POST', headers: authed({ 'Content-Type': 'application/json' }), body: Buffer.from([0x7b, 0xff, 0x7d]) });
    expect(latin.status).toBe(400);
    expect((await request(server.port, '/api/getStatus', { headers: authed() })).status).toBe(405);
    expect((await request(server.port, '/', { method: 'DELETE', headers: authed() })).status).toBe(405);
    expect(documentsNow()).toBe(before);
  });

  it('serves nothing outside the renderer folder', async () => {
    for (const target of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/.env', '/assets/app.js%00.png', '/assets\\..\\..\\secret.txt', '//etc/passwd', '/assets//app.js']) {
      const response = await request(server.port, target, { headers: authed() });
      expect([400, 404], target).toContain(response.status);
      expect(response.body.toString()).not.toContain('outside the renderer');
    }
  });
});

describe('browser mode: events and resources', () => {
  it('streams heartbeats, and events once a scan is dropped into the hot folder; its page and PDF can be loaded', async () => {
    const stream = await openEventStream(server.port, authed());
    expect(stream.status).toBe(200);
    try {
      await waitFor(() => stream.comments.some((c) => c.startsWith(': heartbeat')), 10_000, 'a heartbeat');
      fs.writeFileSync(path.join(hot, 'scan_1.jpg'), await renderPageFile({ dpi: 100, seed: 7 }, 'jpeg'));
      await waitFor(() => stream.events.some((e: any) => e.type === 'documents-changed' && e.states?.includes('needs_review')), 60_000, 'the document event');
      const progress = stream.events.filter((e: any) => e.type === 'progress') as any[];
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.at(-1)).toMatchObject({ pagesDone: 1, pagesTotal: 1, etaSeconds: 0 });
    } finally {
      stream.close();
    }

    const [document] = (await post('listDocuments', { states: ['needs_review'] })).json().value.items;
    expect(document.pageCount).toBe(1);
    const page = station.store.pages.forDocument(document.id)[0]!;
    expect(page.image_format).toBe('g4tiff');

    const thumb = await request(server.port, `/resource/page/${page.id}/thumb`, { headers: authed() });
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(thumb.body).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBe(240);

    // Cached under <dataDir>/thumbs; a changed page image gets a new thumbnail and the old one goes.
    const thumbs = path.join(station.paths.dataDir, 'thumbs');
    const firstCache = fs.readdirSync(thumbs).filter((n) => n.startsWith(`${page.id}.thumb.`));
    expect(firstCache).toHaveLength(1);
    const again = await request(server.port, `/resource/page/${page.id}/thumb`, { headers: authed() });
    expect(again.body.equals(thumb.body)).toBe(true);
    const imageFile = path.join(station.paths.pages, page.image_path);
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(imageFile, later, later);
    expect((await request(server.port, `/resource/page/${page.id}/thumb`, { headers: authed() })).status).toBe(200);
    const secondCache = fs.readdirSync(thumbs).filter((n) => n.startsWith(`${page.id}.thumb.`));
    expect(secondCache).toHaveLength(1);
    expect(secondCache[0]).not.toBe(firstCache[0]);

    const image = await request(server.port, `/resource/page/${page.id}/image`, { headers: authed() });
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    const imageMeta = await sharp(image.body).metadata();
    expect(imageMeta.format).toBe('png');
    expect(imageMeta.width).toBe(page.width);

    const pdf = await request(server.port, `/resource/document/${document.id}.pdf`, { headers: authed() });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');

    for (const target of [
      `/resource/page/../../station.db/thumb`,
      `/resource/page/..%2F..%2Fstation.db/thumb`,
      `/resource/page/${page.id}/../../../station.db`,
      `/resource/document/..%2Fstation.db.pdf`,
      `/resource/document/../documents/${document.id}.pdf`,
      `/resource/document/${document.id}`,
      `/resource/document/${document.id}.pdf/`,
      `/resource/page/${page.id}`,
      `/resource/page/no-such-page/thumb`,
      `/resource/document/no-such-document.pdf`,
      `/resource/page/${page.id}/thumb/extra`,
    ]) {
      expect((await request(server.port, target, { headers: authed() })).status, target).toBe(404);
    }
  });
});

describe('UI event bridge', () => {
  it("forwards other areas' events in order, coalesces station bursts, survives a broken listener, and stops on unsubscribe", async () => {
    const seen: unknown[] = [];
    const unsubscribe = subscribeUiEvents(station, (event) => seen.push(event), { coalesceMs: 50 });
    station.emit('document', { documentId: 'd1', pages: 1, state: 'needs_review' });
    station.emit('document', { documentId: 'd2', pages: 2, state: 'ready' });
    station.emit('ui', { type: 'customers-changed' });
    // The pending burst goes out before the forwarded event, as one documents-changed.
    expect(seen).toEqual([{ type: 'documents-changed', ids: ['d1', 'd2'], states: ['needs_review', 'ready'] }, { type: 'customers-changed' }]);
    station.emit('quarantined', { sourceId: 's', name: 'x', code: 'c', reason: 'r' });
    await waitFor(() => seen.length === 3, 2_000, 'the coalesced quarantine event');
    expect(seen[2]).toEqual({ type: 'quarantine-changed' });

    const problems: string[] = [];
    const onProblem = (p: { message: string }) => problems.push(p.message);
    station.on('problem', onProblem);
    const stopBroken = subscribeUiEvents(station, () => {
      throw new Error('socket gone');
    });
    expect(() => station.emit('ui', { type: 'customers-changed' })).not.toThrow();
    expect(problems.some((m) => m.includes('socket gone'))).toBe(true);
    stopBroken();
    station.off('problem', onProblem);

    unsubscribe();
    station.emit('ui', { type: 'customers-changed' });
    station.emit('document', { documentId: 'd3', pages: 1, state: 'ready' });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(seen).toHaveLength(4);
  });
});

describe('browser mode: a missing build', () => {
  it('says to run npm run build', async () => {
    const empty = fs.mkdtempSync(path.join(root, 'empty-'));
    const other = await startWebServer({ station, rendererDir: empty });
    try {
      const page = await request(other.port, '/', { headers: { Authorization: `Bearer ${other.token}` } });
      expect(page.status).toBe(200);
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      expect(page.body.toString()).toContain('npm run build');
    } finally {
      await other.close();
    }
  });
});

describe('request checks (pure, hostile input)', () => {
  const port = 4321;
  const token = generateToken();

  it('knows loopback addresses', () => {
    for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of ['10.0.0.1', '0.0.0.0', '::', '::ffff:10.0.0.1', '127.0.0.1.evil', '127.0.0.256', '1127.0.0.1', '', undefined, null, 2130706433, ['127.0.0.1'], {}]) {
      expect(isLoopbackAddress(address), String(address)).toBe(false);
    }
  });

  it('accepts only our exact Host and Origin', () => {
    expect(isAllowedHost(`127.0.0.1:${port}`, port)).toBe(true);
    expect(isAllowedHost(`localhost:${port}`, port)).toBe(true);
    for (const host of [`LOCALHOST:${port}`, `127.0.0.1:${port} `, ` 127.0.0.1:${port}`, `127.0.0.1:0${port}`, `user@127.0.0.1:${port}`, `127.0.0.1:${port}\r\nX: y`, [`127.0.0.1:${port}`], undefined, 42]) {
      expect(isAllowedHost(host, port), String(host)).toBe(false);
    }
    expect(isAllowedHost(`127.0.0.1:${port}`, Number.NaN)).toBe(false);
    expect(isAllowedOrigin(undefined, port)).toBe(true);
    expect(isAllowedOrigin(`http://localhost:${port}`, port)).toBe(true);
    for (const origin of ['null', null, '', `http://127.0.0.1:${port}.evil.example`, `HTTP://127.0.0.1:${port}`, [`http://127.0.0.1:${port}`], {}]) {
      expect(isAllowedOrigin(origin, port), String(origin)).toBe(false);
    }
    expect(checkRequestSource({ remoteAddress: '192.168.1.5', headers: { host: `127.0.0.1:${port}` } }, port)?.code).toBe('forbidden_address');
    expect(checkRequestSource({ remoteAddress: '127.0.0.1', headers: null }, port)?.code).toBe('forbidden_host');
    expect(checkRequestSource({ remoteAddress: '127.0.0.1', headers: { host: `127.0.0.1:${port}`, origin: ['a', 'b'] } }, port)?.code).toBe('forbidden_origin');
    expect(checkRequestSource({ remoteAddress: '127.0.0.1', headers: { host: `127.0.0.1:${port}` } }, port)).toBeNull();
  });

  it('compares tokens strictly', () => {
    expect(tokenMatches(token, token)).toBe(true);
    for (const candidate of [token.slice(1), `${token}=`, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, '', undefined, null, [token], { toString: () => token }, 'a'.repeat(43)]) {
      expect(tokenMatches(candidate, token)).toBe(false);
    }
    expect(presentedToken({ cookie: `other=1; station_${port}=${token}` }, port)).toBe(token);
    expect(presentedToken({ cookie: `station_${port + 1}=${token}` }, port)).toBeUndefined();
    expect(presentedToken({ cookie: ['a=b'] }, port)).toBeUndefined();
    expect(parseCookies('a=1; a=2; =3; b').get('a')).toBe('1');
    expect(parseCookies(undefined).size).toBe(0);
  });

  it('parses bodies and operation paths defensively', () => {
    expect(checkBodyHeaders({ 'content-type': 'application/json; charset=utf-8', 'content-length': '10' })).toBeNull();
    expect(checkBodyHeaders({ 'content-type': 'text/plain' })?.status).toBe(400);
    expect(checkBodyHeaders({})?.status).toBe(400);
    expect(checkBodyHeaders({ 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) })?.status).toBe(413);
    expect(checkBodyHeaders({ 'content-type': 'application/json', 'content-length': '-1' })?.status).toBe(413);
    expect(parseJsonBody(Buffer.from('{"a":1}'))).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonBody(Buffer.alloc(0))).toEqual({ ok: true, value: {} });
    expect(parseJsonBody('{"a":1}').ok).toBe(false);
    expect(parseJsonBody(Buffer.from('{"a":'))).toMatchObject({ ok: false, refusal: { status: 400 } });
    expect(parseJsonBody(Buffer.alloc(11, 0x20), 10)).toMatchObject({ ok: false, refusal: { status: 413 } });
    expect(operationFromPath('/api/getStatus')).toBe('getStatus');
    for (const p of ['/api/', '/api/get-status', '/api/getStatus/', '/api/../x', '/api/__proto__', '/api/constructor%00', '/apix/getStatus', 42]) {
      expect(operationFromPath(p), String(p)).toBeNull();
    }
  });

  it('maps resource and static paths only to ids and files inside their folders', () => {
    expect(parseResourcePath('/resource/page/abc-p0/thumb')).toEqual({ kind: 'page-thumb', pageId: 'abc-p0' });
    expect(parseResourcePath('/resource/document/doc_1.pdf')).toEqual({ kind: 'document-pdf', documentId: 'doc_1' });
    for (const p of ['/resource/page/../thumb', '/resource/page/.hidden/thumb', '/resource/page/a%2Fb/thumb', '/resource/document/.pdf', '/resource/document/a.b.pdf', '/resource/page/a/thumb?x', '/resource/page/-a/thumb', `/resource/page/${'a'.repeat(200)}/thumb`, null]) {
      expect(parseResourcePath(p), String(p)).toBeNull();
    }
    const base = path.resolve('/srv/renderer');
    expect(staticFileFor(base, '/')).toBe(path.join(base, 'index.html'));
    expect(staticFileFor(base, '/queue')).toBe(path.join(base, 'index.html'));
    expect(staticFileFor(base, '/assets/index-abc.js')).toBe(path.join(base, 'assets', 'index-abc.js'));
    for (const p of ['/../x.js', '/assets/../../x.js', '/.env', '/assets/.x.js', '/a//b.js', '/x.exe', 'x.js', '/%2e%2e/x.js', '/a\\b.js']) {
      expect(staticFileFor(base, p), p).toBeNull();
    }
  });

  it('tracks progress of open work with an ETA from a moving rate', () => {
    let now = 0;
    const tracker = new ProgressTracker(() => now);
    expect(tracker.taken(3)).toEqual({ type: 'progress', batchId: null, pagesDone: 0, pagesTotal: 3, etaSeconds: null });
    now = 2000;
    expect(tracker.finished(1, 2)).toEqual({ type: 'progress', batchId: null, pagesDone: 1, pagesTotal: 3, etaSeconds: 4 });
    now = 4000;
    expect(tracker.finished(1, 1)).toMatchObject({ pagesDone: 2, pagesTotal: 3, etaSeconds: 2 });
    now = 5000;
    expect(tracker.finished(2, 0)).toMatchObject({ pagesDone: 4, pagesTotal: 4, etaSeconds: 0 });
    expect(tracker.finished(1, 0)).toBeNull();
    expect(tracker.taken(1)).toMatchObject({ pagesDone: 0, pagesTotal: 1 });
  });
});
