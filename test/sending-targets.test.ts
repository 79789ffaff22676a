/**
 * The other targets and retention: WebDAV against a real WebDAV server (rclone `serve webdav` on
 * 127.0.0.1 over a temporary folder, which .ci/run installs; the stored files are read back from
 * that folder), folder export read back and parsed (the index only ever appears after
 * its PDF is complete), the default "outbox" with no configuration at all, and retention purging
 * only confirmed deliveries, N days later (injected clock).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';
import { documentMetadata } from '../main/upload/metadata.js';
import { WebDavTarget } from '../main/upload/targets/webdav.js';
import { copyTemplate, firstDocuments, queueDocuments, sharedTemplate, TEST_STAFF } from './support/receiver-documents.js';
import { waitFor } from './support/station-process.js';

const sha = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');
let template = '';
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  template = await sharedTemplate();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function station(sending: Record<string, unknown> | undefined): Station {
  const dataDir = copyTemplate(template);
  const config = parseConfig({ stationId: 'send-test', ...(sending ? { sending } : {}) }, 'test');
  const s = createStation({ dataDir, config, watch: false });
  cleanups.push(async () => {
    await s.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return s;
}

async function uploaded(s: Station, ids: string[]): Promise<void> {
  await waitFor(() => ids.every((id) => s.store.documents.get(id)!.state === 'uploaded'), 30_000, `${ids.length} documents uploaded`);
}

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** rclone's WebDAV server over `root`; resolves once it answers HTTP. */
async function startRclone(root: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  // --dir-cache-time 0s: the test deletes a file behind the server's back; rclone must not serve it from its listing cache.
  const child = spawn('rclone', ['serve', 'webdav', root, '--addr', `127.0.0.1:${port}`, '--dir-cache-time', '0s'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const url = `http://127.0.0.1:${port}`;
  const answers = () =>
    new Promise<boolean>((resolve) => {
      const request = http.request(`${url}/`, { method: 'OPTIONS' }, (response) => {
        response.resume();
        resolve(true);
      });
      request.once('error', () => resolve(false));
      request.end();
    });
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`rclone serve webdav exited (${child.exitCode}): ${stderr}`);
      return answers();
    }, 15_000, 'rclone serve webdav answering');
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { url, child };
}

/** A pass-through HTTP proxy in front of the server that records each request's method and path. */
async function recordingProxy(upstream: string): Promise<{ url: string; methods: { method: string; path: string }[] }> {
  const methods: { method: string; path: string }[] = [];
  const server = http.createServer((request, response) => {
    methods.push({ method: request.method ?? '', path: new URL(request.url ?? '/', 'http://x').pathname });
    const forward = http.request(`${upstream}${request.url}`, { method: request.method, headers: request.headers }, (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    });
    forward.once('error', () => response.destroy());
    request.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, methods };
}

describe('WebDAV target', () => {
  let rclone: { url: string; child: ChildProcess } | undefined;
  let root = '';
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-dav-'));
    rclone = await startRclone(root);
  });
  afterAll(async () => {
    const child = rclone?.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('creates the collection, PUTs each PDF and its metadata sidecar, and confirms an earlier upload instead of sending it twice', async () => {
    const dav = await recordingProxy(rclone!.url);
    const s = station({ targets: [{ kind: 'webdav', name: 'dav', url: `${dav.url}/dms/eingang/` }], defaultTarget: 'dav', timeoutMs: 5_000 });
    const ids = queueDocuments(s, firstDocuments(s, 3));
    await s.start();
    await uploaded(s, ids);
    const folder = path.join(root, 'dms', 'eingang');
    expect(fs.readdirSync(folder).sort()).toEqual(ids.flatMap((id) => [`${id}.json`, `${id}.pdf`]).sort());
    for (const id of ids) {
      const document = s.store.documents.get(id)!;
      expect(sha(fs.readFileSync(path.join(folder, `${id}.pdf`)))).toBe(document.pdf_sha256);
      const sidecar = JSON.parse(fs.readFileSync(path.join(folder, `${id}.json`), 'utf8'));
      expect(sidecar).toMatchObject({ documentId: id, idempotencyKey: id, sha256: document.pdf_sha256, pages: 1, station: 'send-test', staffUser: TEST_STAFF });
      expect(sidecar.processing.pages).toHaveLength(1);
    }
    expect(dav.methods.filter((m) => m.method === 'MKCOL').map((m) => m.path)).toEqual(['/dms/', '/dms/eingang/']);

    // A re-send (as after a crash before the station recorded the receipt) is confirmed without a PUT.
    const target = new WebDavTarget('dav', { url: `${dav.url}/dms/eingang/`, auth: { type: 'none' }, timeoutMs: 5_000 });
    const document = s.store.documents.get(ids[0]!)!;
    const request = { metadata: documentMetadata(s.store, document, 'send-test'), pdfPath: path.join(s.paths.dataDir, document.pdf_path!), idempotencyKey: document.id, signal: new AbortController().signal };
    const puts = () => dav.methods.filter((m) => m.method === 'PUT').length;
    const before = puts();
    expect(await target.send(request)).toMatchObject({ sha256: document.pdf_sha256, detail: { confirmedExisting: true } });
    expect(puts()).toBe(before);
    // A crash between the PDF and the sidecar: the next send completes it, still one file each.
    fs.rmSync(path.join(folder, `${document.id}.json`));
    await target.send(request);
    expect(puts()).toBe(before + 2);
    expect(fs.readdirSync(folder).filter((name) => name.startsWith(document.id)).sort()).toEqual([`${document.id}.json`, `${document.id}.pdf`]);
    target.close();
  });
});

/** Element text by tag name, after checking the tags are balanced (a small reader for our flat XML). */
function readXml(xml: string): Map<string, string> {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const stack: string[] = [];
  for (const [, close, name, selfClosing] of xml.matchAll(/<(\/?)([A-Za-z][\w.-]*)[^>]*?(\/?)>/g)) {
    if (selfClosing) continue;
    if (close) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  const values = new Map<string, string>();
  for (const [, name, text] of xml.matchAll(/<([A-Za-z][\w.-]*)>([^<]*)<\/\1>/g)) if (!values.has(name!)) values.set(name!, text!);
  return values;
}

describe('folder export', () => {
  it('writes the PDF, then XML, CSV and JSON index files; the index never appears before its PDF is complete', async () => {
    const out = tempDir('intake-export-');
    const s = station({ targets: [{ kind: 'folder', name: 'dms-import', path: out, csv: true }], defaultTarget: 'dms-import', concurrency: 2 });
    // Watch the import folder as a DMS would: whenever an index file appears, its PDF must be there and whole.
    const seen: string[] = [];
    const problems: string[] = [];
    const expected = new Map<string, string>();
    const watcher = fs.watch(out, (_event, name) => {
      if (!name || name.startsWith('.')) return;
      seen.push(name);
      const index = /^(.+)\.(json|xml|csv)$/.exec(name);
      if (!index || !fs.existsSync(path.join(out, name))) return;
      const pdf = path.join(out, `${index[1]}.pdf`);
      if (!fs.existsSync(pdf) || sha(fs.readFileSync(pdf)) !== expected.get(index[1]!)) problems.push(`${name} appeared before its PDF was complete`);
    });
    cleanups.push(() => watcher.close());
    const ids = queueDocuments(s, firstDocuments(s, 4));
    for (const id of ids) expected.set(id, s.store.documents.get(id)!.pdf_sha256!);
    await s.start();
    await uploaded(s, ids);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(problems).toEqual([]);
    // No temporary files left; exactly four files per document.
    expect(fs.readdirSync(out).sort()).toEqual(ids.flatMap((id) => ['csv', 'json', 'pdf', 'xml'].map((ext) => `${id}.${ext}`)).sort());
    for (const id of ids) {
      // In the order the folder saw them: the PDF first, the JSON index last.
      const order = ['pdf', 'xml', 'json'].map((ext) => seen.indexOf(`${id}.${ext}`));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      const document = s.store.documents.get(id)!;
      expect(sha(fs.readFileSync(path.join(out, `${id}.pdf`)))).toBe(document.pdf_sha256);
      const json = JSON.parse(fs.readFileSync(path.join(out, `${id}.json`), 'utf8'));
      expect(json).toMatchObject({ file: `${id}.pdf`, documentId: id, sha256: document.pdf_sha256, pages: 1, staffUser: TEST_STAFF, customer: null });
      const xml = readXml(fs.readFileSync(path.join(out, `${id}.xml`), 'utf8'));
      expect(xml.get('documentId')).toBe(id);
      expect(xml.get('sha256')).toBe(document.pdf_sha256);
      expect(xml.get('file')).toBe(`${id}.pdf`);
      expect(xml.get('pages')).toBe('1');
      const csv = fs.readFileSync(path.join(out, `${id}.csv`), 'utf8');
      expect(csv.charCodeAt(0)).toBe(0xfeff);
      const [header, row] = csv.slice(1).split('\r\n');
      const record = Object.fromEntries(header!.split(';').map((column, i) => [column, row!.split(';')[i]]));
      expect(record).toMatchObject({ documentId: id, file: `${id}.pdf`, sha256: document.pdf_sha256, pages: '1', staffUser: TEST_STAFF });
    }
    // Sending the same document again (its receipt lost in a crash) finds the export complete and
    // leaves it untouched, so an importer watching modification times does not take it twice; a
    // temporary file left by a crash in the middle of an earlier export is cleared away.
    const again = s.store.documents.get(ids[0]!)!;
    const untouched = fs.statSync(path.join(out, `${again.id}.json`)).mtimeMs;
    fs.writeFileSync(path.join(out, `.${again.id}.pdf.0badc0ffee00.tmp`), 'half a PDF');
    s.store.transaction(() => s.store.documents.setState(again.id, 'queued'));
    s.sending.wake();
    await uploaded(s, [again.id]);
    expect(fs.readdirSync(out).filter((name) => name.includes(again.id)).sort()).toEqual(['csv', 'json', 'pdf', 'xml'].map((ext) => `${again.id}.${ext}`));
    expect(fs.statSync(path.join(out, `${again.id}.json`)).mtimeMs).toBe(untouched);
    // An export cut short before its last index file is completed, not confirmed: still four files.
    fs.rmSync(path.join(out, `${again.id}.json`));
    s.store.transaction(() => s.store.documents.setState(again.id, 'queued'));
    s.sending.wake();
    await uploaded(s, [again.id]);
    expect(fs.readdirSync(out).filter((name) => name.includes(again.id)).sort()).toEqual(['csv', 'json', 'pdf', 'xml'].map((ext) => `${again.id}.${ext}`));
  });
});

describe('default target and retention', () => {
  it('sends to <dataDir>/outbox with no configuration, then purges local copies only of confirmed deliveries, N days later', async () => {
    const s = station(undefined);
    const [a, b, c, d] = firstDocuments(s, 4);
    const ids = queueDocuments(s, [a!, b!]);
    // d claims to be uploaded without a confirmed delivery (no receipt): it must never be purged.
    s.store.transaction(() => s.store.documents.setState(d!, 'uploaded'));
    await s.start();
    await uploaded(s, ids);
    for (const id of ids) expect(fs.existsSync(path.join(s.paths.outbox, `${id}.json`))).toBe(true);

    const filesOf = (id: string) => {
      const document = s.store.documents.get(id)!;
      const pages = s.store.pages.forDocument(id);
      return [
        path.join(s.paths.dataDir, document.pdf_path!),
        ...pages.map((p) => path.join(s.paths.pages, p.image_path)),
        ...pages.map((p) => path.join(s.paths.dataDir, s.store.sources.get(p.source_id)!.stored_path!)),
      ];
    };
    const files = new Map([a, b, c, d].map((id) => [id!, filesOf(id!)]));
    for (const list of files.values()) for (const file of list) expect(fs.existsSync(file)).toBe(true);

    const deliveredAt = s.sending.sender.rows.sent(a!)!.delivered_at_ms;
    const day = 86_400_000;
    expect(s.sending.purgeDue(deliveredAt + 6 * day)).toEqual([]);
    expect(s.sending.purgeDue(deliveredAt + 7 * day + 60_000).sort()).toEqual([a, b].sort());
    for (const id of [a!, b!]) {
      expect(s.store.documents.get(id)!.state).toBe('purged');
      for (const file of files.get(id)!) expect(fs.existsSync(file)).toBe(false);
      expect(s.store.audit.forSubject('document', id).at(-1)).toMatchObject({ action: 'purge', from_state: 'uploaded', to_state: 'purged' });
    }
    // Not confirmed delivered: never purged, however late.
    expect(s.sending.purgeDue(deliveredAt + 1000 * day)).toEqual([]);
    for (const id of [c!, d!]) for (const file of files.get(id)!) expect(fs.existsSync(file)).toBe(true);
    expect(s.store.documents.get(c!)!.state).toBe('needs_review');
    expect(s.store.documents.get(d!)!.state).toBe('uploaded');
  });
});
