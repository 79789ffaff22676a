/**
 * Directory sync against a real HTTP server on 127.0.0.1: bearer token, ETag / If-None-Match (304),
 * incremental by cursor with paging, deletions; the server down or answering garbage is a quiet,
 * recorded failure, search keeps working from SQLite, and the next sync catches up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseConfig } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';
import { dispatch } from '../main/api/dispatch.js';
import { openDatabase } from '../main/store/db.js';
import { CustomerDirectory } from '../main/customers/directory.js';
import { useTempDir } from './support/temp-dir.js';

interface ServerCustomer {
  customerNumber: string;
  familyName?: string;
  givenNames?: string;
  birthDate?: string;
  bgNumber?: string;
  deleted?: boolean;
  version: number;
}

/** A small directory server: versions as cursor, pages of `pageSize`, ETag per answer. */
class DirectoryServer {
  readonly records = new Map<string, ServerCustomer>();
  readonly requests: { url: string; ifNoneMatch: string | undefined; auth: string | undefined; status: number }[] = [];
  version = 0;
  pageSize = 1000;
  /** Answer every request with this status (500, 'garbage', ...) instead. */
  failWith: number | 'garbage' | null = null;
  private server = http.createServer((req, res) => this.handle(req, res));
  port = 0;

  put(customer: Omit<ServerCustomer, 'version'>): void {
    this.records.set(customer.customerNumber, { ...customer, version: ++this.version });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const done = (status: number, body?: string, headers: Record<string, string> = {}) => {
      this.requests.push({ url: url.pathname + url.search, ifNoneMatch: req.headers['if-none-match'], auth: req.headers.authorization, status });
      // No keep-alive: once the server is closed the next ask meets a closed port, as after a real outage.
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close', ...headers });
      res.end(body);
    };
    if (req.headers.authorization !== 'Bearer s3cret') return done(401, '{"error":"unauthorized"}');
    if (this.failWith === 'garbage') return done(200, '<html>proxy login</html>');
    if (this.failWith) return done(this.failWith, '{}');
    const since = Number(url.searchParams.get('updatedSince') ?? '0');
    const changed = [...this.records.values()].filter((r) => r.version > since).sort((a, b) => a.version - b.version);
    const page = changed.slice(0, this.pageSize);
    const cursor = String(page.length ? page[page.length - 1]!.version : since);
    const etag = `"v${this.version}-s${since}"`;
    if (req.headers['if-none-match'] === etag) return done(304);
    const body = JSON.stringify({ customers: page.map(({ version: _v, ...rest }) => rest), cursor, more: changed.length > page.length });
    done(200, body, { etag });
  }

  listen(port = 0): Promise<void> {
    return new Promise((resolve) => this.server.listen(port, '127.0.0.1', () => {
      this.port = (this.server.address() as AddressInfo).port;
      resolve();
    }));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

const tmp = useTempDir('customers-sync-');
const server = new DirectoryServer();
let station: Station;
const events: string[] = [];
const call = async <T>(name: string, input: unknown = {}): Promise<T> => {
  const result = await dispatch({ station, actor: 'tester' }, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.code} ${result.message}`);
  return result.value as T;
};
const search = async (query: string) => (await call<{ items: { customerNumber: string; name: string }[] }>('searchCustomers', { query })).items;

beforeAll(async () => {
  await server.listen();
  for (let i = 0; i < 25; i++) server.put({ customerNumber: `K${1000 + i}`, familyName: i % 5 === 0 ? 'Müller' : `Person${i}`, givenNames: 'Test', birthDate: '1980-02-01', bgNumber: '12345BG0000001' });
  server.put({ customerNumber: 'K2000', familyName: 'Kaputt' }); // no problem: birth date is optional
  server.put({ customerNumber: '', familyName: 'Ohne Nummer' }); // skipped: no number
  server.pageSize = 10;
  station = createStation({
    dataDir: path.join(tmp.path(), 'data'),
    config: parseConfig(
      {
        stationId: 'sync-test',
        imaging: { workers: 1 },
        // A long interval: the test calls sync itself; the scheduled one must not interfere.
        customers: { sync: { url: `http://127.0.0.1:${server.port}/customers`, token: 's3cret', intervalMinutes: 600, timeoutSeconds: 5 } },
      },
      'test',
    ),
    watch: false,
  });
  station.on('ui', (event) => events.push(event.type));
  // Not started: start() would schedule a first sync on its own timer.
});
afterAll(async () => {
  await station.stop();
  await server.close();
});

describe('customer sync', () => {
  it('fetches everything page by page with the bearer token and stores it', async () => {
    const outcome = await call<{ ok: boolean; imported: number; skipped: number; notModified: boolean }>('syncCustomers');
    expect(outcome).toMatchObject({ ok: true, imported: 26, skipped: 1, notModified: false });
    // Three pages of 10 (27 records), each asking from the cursor the previous answer gave.
    expect(server.requests.map((r) => r.url)).toEqual(['/customers', '/customers?updatedSince=10', '/customers?updatedSince=20']);
    expect(server.requests.every((r) => r.auth === 'Bearer s3cret')).toBe(true);
    expect((await search('mueller')).map((c) => c.name)).toEqual(Array(5).fill('Müller, Test'));
    expect(events).toContain('customers-changed');
    const status = await call<{ count: number; lastSyncAt: string | null; lastError: unknown }>('getDirectoryStatus');
    expect(status).toMatchObject({ count: 26, lastError: null });
    expect(status.lastSyncAt).not.toBeNull();
  });

  it('sends the ETag back and does nothing on 304', async () => {
    // The next ask uses the new cursor (no ETag for that URL yet), then the one after is a 304.
    server.requests.length = 0;
    expect(await call('syncCustomers')).toMatchObject({ ok: true, imported: 0, notModified: false });
    events.length = 0;
    expect(await call('syncCustomers')).toMatchObject({ ok: true, imported: 0, notModified: true });
    expect(server.requests.map((r) => [r.url, r.status])).toEqual([
      ['/customers?updatedSince=27', 200],
      ['/customers?updatedSince=27', 304],
    ]);
    expect(server.requests[1]!.ifNoneMatch).toMatch(/^"v27-s27"$/);
    expect(events).not.toContain('customers-changed');
  });

  it('takes only what changed since the cursor: updates and deletions', async () => {
    server.put({ customerNumber: 'K1001', familyName: 'Weiß', givenNames: 'Neu', birthDate: '01.03.1970' });
    server.put({ customerNumber: 'K1000', deleted: true });
    server.put({ customerNumber: 'K3000', familyName: 'von der Heide', givenNames: 'Anna' });
    server.requests.length = 0;
    const outcome = await call('syncCustomers');
    expect(outcome).toMatchObject({ ok: true, imported: 1, updated: 1, deleted: 1 });
    expect(server.requests.map((r) => r.url)).toEqual(['/customers?updatedSince=27']);
    expect((await search('weiss')).map((c) => c.customerNumber)).toEqual(['K1001']);
    expect((await search('heide')).map((c) => c.customerNumber)).toEqual(['K3000']);
    expect((await search('K1000')).map((c) => c.customerNumber)).toEqual([]);
    expect((await search('mueller')).length).toBe(4);
  });

  it('fails quietly when the server answers an error or garbage, and search keeps working', async () => {
    server.failWith = 500;
    expect(await call('syncCustomers')).toMatchObject({ ok: false, error: expect.stringMatching(/answered 500/) });
    server.failWith = 'garbage';
    expect(await call('syncCustomers')).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) });
    server.failWith = null;
    expect((await search('weiss')).map((c) => c.customerNumber)).toEqual(['K1001']);
    const status = await call<{ lastError: { source: string; message: string } | null }>('getDirectoryStatus');
    expect(status.lastError).toMatchObject({ source: 'sync', message: expect.stringMatching(/not JSON/) });
    // The token never appears in what is recorded.
    expect(JSON.stringify(status)).not.toContain('s3cret');
  });

  it('when the server is down: quiet failure, search from SQLite, and it catches up once back', async () => {
    const port = server.port;
    await server.close();
    const problems: string[] = [];
    station.on('problem', (p) => problems.push(p.message));
    const outcome = await call<{ ok: boolean; error: string }>('syncCustomers');
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/cannot be reached/);
    expect(problems.some((m) => /cannot be reached/.test(m))).toBe(true);
    expect((await search('heide')).map((c) => c.customerNumber)).toEqual(['K3000']);
    expect((await search('12345BG0000001')).length).toBe(20);

    // Changes made while the station could not ask arrive with the next sync.
    server.put({ customerNumber: 'K4000', familyName: 'Später', givenNames: 'Da' });
    await server.listen(port);
    expect(await call('syncCustomers')).toMatchObject({ ok: true, imported: 1 });
    expect((await search('spaeter')).map((c) => c.customerNumber)).toEqual(['K4000']);
    expect(await call('getDirectoryStatus')).toMatchObject({ lastError: null, count: 27 });
  });

  it('reports a refused token in words', async () => {
    const other = createStation({
      dataDir: path.join(tmp.path(), 'other'),
      config: parseConfig({ stationId: 'sync-test-2', imaging: { workers: 1 }, customers: { sync: { url: `http://127.0.0.1:${server.port}/customers`, token: 'wrong', intervalMinutes: 600 } } }, 'test'),
      watch: false,
    });
    try {
      const outcome = await other.customers.sync();
      expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/refused the station \(401/) });
      expect(other.customers.status().count).toBe(0);
    } finally {
      await other.stop();
    }
  });

  it('stops a sync in flight when the station stops, even when the server never answers', async () => {
    const stalled = http.createServer(() => undefined); // takes the request, never answers
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', () => resolve()));
    const port = (stalled.address() as AddressInfo).port;
    const other = createStation({
      dataDir: path.join(tmp.path(), 'stalled'),
      // The longest timeout there is: only the stop can end this sync within the test's time.
      config: parseConfig({ stationId: 'sync-test-4', imaging: { workers: 1 }, customers: { sync: { url: `http://127.0.0.1:${port}/customers`, intervalMinutes: 600, timeoutSeconds: 600 } } }, 'test'),
      watch: false,
    });
    try {
      const sync = other.customers.sync();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(other.customers.status().syncing).toBe(true);
      await other.stop();
      expect(await sync).toMatchObject({ ok: false, error: expect.stringMatching(/shutting down/) });
    } finally {
      stalled.closeAllConnections();
      await new Promise((resolve) => stalled.close(resolve));
    }
  });

  it('syncs on its own after start, and retries sooner after a failure', async () => {
    const db = openDatabase(path.join(tmp.path(), 'auto', 'station.db'));
    let changed!: () => void;
    const arrived = new Promise<void>((resolve) => (changed = resolve));
    const directory = new CustomerDirectory(db, {
      sync: { url: `http://127.0.0.1:${server.port}/customers`, token: 's3cret', intervalMinutes: 600, timeoutSeconds: 5, cursorParam: 'updatedSince' },
      retryBaseMs: 100,
      onChanged: () => changed(),
    });
    server.failWith = 503;
    server.requests.length = 0;
    try {
      directory.start(10);
      // The first (scheduled) sync fails; the retry comes after 100 ms, not after the 600-minute interval.
      const deadline = Date.now() + 20_000;
      while (!directory.status().lastError && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(directory.status().lastError).toMatchObject({ source: 'sync', message: expect.stringMatching(/503/) });
      server.failWith = null;
      await Promise.race([arrived, new Promise((_, reject) => setTimeout(() => reject(new Error('no sync within 20 s')), 20_000))]);
      // One or more failed tries (a busy machine may let the retry come before the server is back), then the three pages.
      const statuses = server.requests.map((r) => r.status);
      expect(statuses[0]).toBe(503);
      expect(statuses.slice(statuses.indexOf(200))).toEqual([200, 200, 200]);
      expect(statuses.filter((status) => status !== 503 && status !== 200)).toEqual([]);
      expect(directory.search('heide').map((c) => c.customerNumber)).toEqual(['K3000']);
    } finally {
      await directory.stop();
      db.close();
    }
  });
});
