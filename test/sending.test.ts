/**
 * Sending over REST against the reference receiver behind a fault-injecting server on 127.0.0.1.
 * Whatever the server does (500, 503 with Retry-After, a stall past the timeout, a reset in the
 * middle of the body, storing but dropping the reply), every document ends up on the server exactly
 * once (counted by idempotency key), with our checksum, and the station shows it 'uploaded'.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';
import { dispatch } from '../main/api/dispatch.js';
import { startReceiver } from '../main/receiver/app.js';
import { backoffMs } from '../main/upload/backoff.js';
import { parseRetryAfter } from '../main/upload/targets/http.js';
import { ConfigError } from '../main/config/schema.js';
import { sharedTemplate, copyTemplate, firstDocuments, queueDocuments, TEST_STAFF } from './support/receiver-documents.js';
import { startFaultyReceiver, type Fault, type FaultyReceiver } from './support/receiver-faults.js';
import { waitFor } from './support/station-process.js';

const TIMEOUT_MS = 1_500;
let template = '';
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  template = await sharedTemplate();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function restStation(url: string, extra: Record<string, unknown> = {}): Station {
  const dataDir = copyTemplate(template);
  const config = parseConfig(
    {
      stationId: 'send-test',
      sending: {
        targets: [{ kind: 'rest', name: 'dms', url, ...((extra.target as object) ?? {}) }],
        defaultTarget: 'dms',
        timeoutMs: TIMEOUT_MS,
        backoffBaseMs: 100,
        backoffMaxMs: 800,
        probeMaxIntervalMs: 400,
        concurrency: 2,
        ...((extra.sending as object) ?? {}),
      },
    },
    'test',
  );
  const station = createStation({ dataDir, config, watch: false });
  cleanups.push(async () => {
    await station.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return station;
}

async function receiver(fault: (key: string, nth: number) => Fault, options: { stallMs?: number } = {}): Promise<FaultyReceiver> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-receiver-'));
  const server = await startFaultyReceiver({ dir, fault, stallMs: options.stallMs });
  cleanups.push(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return server;
}

async function allUploaded(station: Station, ids: string[]): Promise<void> {
  await waitFor(() => ids.every((id) => station.store.documents.get(id)!.state === 'uploaded'), 40_000, `all ${ids.length} documents uploaded (${JSON.stringify(station.status().documents)})`);
}

/** Each document on the server exactly once, byte for byte, and the station's receipt names the server's id. */
function expectExactlyOnce(station: Station, server: FaultyReceiver, ids: string[]): void {
  expect(server.app.store.keys().sort()).toEqual([...ids].sort());
  for (const id of ids) {
    expect(server.app.store.created.get(id)).toBe(1);
    const receipt = server.app.store.receiptFor(id)!;
    const document = station.store.documents.get(id)!;
    expect(document.state).toBe('uploaded');
    expect(receipt.sha256).toBe(document.pdf_sha256);
    const stored = fs.readFileSync(server.app.store.pdfPath(id));
    expect(crypto.createHash('sha256').update(stored).digest('hex')).toBe(document.pdf_sha256);
    expect(station.sending.sender.rows.sent(id)!.remote_id).toBe(receipt.id);
  }
}

describe('sending over REST with faults', () => {
  const cases: { fault: Fault; times: number; repeats: boolean }[] = [
    { fault: '500', times: 2, repeats: false },
    { fault: '503', times: 1, repeats: false },
    { fault: 'stall', times: 1, repeats: true },
    { fault: 'reset', times: 2, repeats: false },
    { fault: 'drop_reply', times: 1, repeats: true },
  ];
  for (const { fault, times, repeats } of cases) {
    it(`delivers every document exactly once when the server ${fault === 'stall' ? 'stalls past the timeout' : fault === 'reset' ? 'resets mid-body' : fault === 'drop_reply' ? 'stores but drops the reply' : `answers ${fault}`} (${times}x per document)`, async () => {
      const server = await receiver((_key, nth) => (nth <= times ? fault : 'none'), { stallMs: TIMEOUT_MS * 2 });
      const station = restStation(server.url);
      const ids = queueDocuments(station, firstDocuments(station, 4));
      await station.start();
      await allUploaded(station, ids);
      expectExactlyOnce(station, server, ids);
      // The faults really happened, once per document and attempt.
      expect(server.injected.filter((i) => i.fault === fault)).toHaveLength(ids.length * times);
      for (const id of ids) {
        // Lost replies were answered again from the first receipt: the double-send happened and was harmless.
        if (repeats) expect(server.app.store.repeats.get(id)).toBeGreaterThanOrEqual(1);
        const attempts = station.sending.deliveries(id);
        expect(attempts.at(-1)!.outcome).toBe('delivered');
        expect(attempts.filter((a) => a.outcome !== 'delivered').length).toBeGreaterThanOrEqual(times);
        // Queued → uploading → uploaded, in the audit trail.
        const trail = station.store.audit.forSubject('document', id).map((a) => `${a.from_state}>${a.to_state}`);
        expect(trail).toContain('queued>uploading');
        expect(trail).toContain('uploading>uploaded');
      }
      if (fault === '503') {
        // Retry-After: 1 was honoured: the next attempt came no sooner than about a second later.
        for (const id of ids) {
          const [first, second] = station.sending.deliveries(id);
          expect(first!.http_status).toBe(503);
          expect(Date.parse(second!.started_at) - Date.parse(first!.finished_at!)).toBeGreaterThanOrEqual(900);
        }
      }
      expect(station.sending.status()).toMatchObject({ online: true, active: 0, waiting: 0, needsAttention: 0 });
    });
  }

  it('stops a rejected document with a reason (needs attention), and sends it after a manual retry', async () => {
    const server = await receiver((_key, nth) => (nth === 1 ? '422' : 'none'));
    const station = restStation(server.url, { sending: { concurrency: 1 } });
    const [id] = queueDocuments(station, [station.store.documents.list('needs_review')[0]!.id]);
    await station.start();
    await waitFor(() => station.store.documents.get(id!)!.state === 'error', 20_000, 'the rejection');
    const document = station.store.documents.get(id!)!;
    expect(document.error).toMatch(/rejected the document \(HTTP 422\)/);
    const status = await dispatch({ station, actor: TEST_STAFF }, 'getSendingStatus', {});
    expect(status).toMatchObject({ ok: true, value: { needsAttention: 1 } });
    const history = await dispatch({ station, actor: TEST_STAFF }, 'listDeliveries', { documentId: id });
    expect(history.ok && history.value).toMatchObject({ attempts: [{ outcome: 'failed', code: 'rejected', httpStatus: 422, counted: true }], delivered: null });

    expect(await dispatch({ station, actor: TEST_STAFF }, 'retrySend', { id })).toMatchObject({ ok: true });
    await allUploaded(station, [id!]);
    expect(server.app.store.created.get(id!)).toBe(1);
    const after = await dispatch({ station, actor: TEST_STAFF }, 'listDeliveries', { documentId: id });
    expect(after.ok && (after.value as { delivered: unknown }).delivered).toMatchObject({ target: 'dms', sha256: document.pdf_sha256 });
    expect(station.store.audit.forSubject('document', id!).some((a) => a.action === 'retry_send' && a.actor === TEST_STAFF)).toBe(true);
    // A document that is not waiting cannot be retried; unknown ids are named.
    expect(await dispatch({ station, actor: TEST_STAFF }, 'retrySend', { id })).toMatchObject({ ok: false, code: 'not_waiting' });
    expect(await dispatch({ station, actor: TEST_STAFF }, 'retrySend', { id: 'no-such-doc' })).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('gives up after maxAttempts with the reason in plain words, counting only real attempts', async () => {
    const server = await receiver(() => '500');
    const station = restStation(server.url, { sending: { maxAttempts: 3, concurrency: 1 } });
    const [id] = queueDocuments(station, [station.store.documents.list('needs_review')[0]!.id]);
    await station.start();
    await waitFor(() => station.store.documents.get(id!)!.state === 'error', 20_000, 'giving up');
    expect(station.store.documents.get(id!)!.error).toMatch(/failed \(HTTP 500\).*gave up after 3 attempts/);
    expect(station.sending.deliveries(id!).map((d) => d.outcome)).toEqual(['retry', 'retry', 'failed']);
    expect(server.posts.get(id!)).toBe(3);
    expect(server.app.store.keys()).toEqual([]);
  });

  it('pauses and resumes sending (persisted), and a bearer token is required and sent', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-receiver-'));
    const real = await startReceiver({ dir, token: 's3cret-token' });
    cleanups.push(async () => {
      await real.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const station = restStation(real.url, { target: { auth: { type: 'bearer', token: { env: 'SENDING_TEST_TOKEN' } } } });
    process.env.SENDING_TEST_TOKEN = 's3cret-token';
    const problems: string[] = [];
    const events: unknown[] = [];
    station.on('problem', (p) => problems.push(p.message));
    station.on('ui', (e) => events.push(e));
    expect(await dispatch({ station, actor: TEST_STAFF }, 'pauseSending', {})).toMatchObject({ ok: true, value: { paused: true } });
    const ids = queueDocuments(station, firstDocuments(station, 4));
    await station.start();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(real.app.store.keys()).toEqual([]);
    expect(station.sending.status()).toMatchObject({ paused: true, waiting: ids.length });
    expect(events).toContainEqual({ type: 'sending', online: true, paused: true, active: 0, waiting: ids.length });
    expect(await dispatch({ station, actor: TEST_STAFF }, 'resumeSending', {})).toMatchObject({ ok: true, value: { paused: false } });
    await allUploaded(station, ids);
    expect(real.app.store.keys().sort()).toEqual([...ids].sort());
    // The secret never reaches the log lines.
    expect(problems.join('\n')).not.toContain('s3cret-token');
    // Without the token the receiver refuses.
    const refused = await fetch(`${real.url}/documents`, { method: 'POST', headers: { 'idempotency-key': 'x1' }, body: 'x' });
    expect(refused.status).toBe(401);
  });
});

describe('reference receiver', () => {
  it('stores a key exactly once under concurrent repeats and answers every repeat with the first receipt', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-receiver-'));
    const real = await startReceiver({ dir });
    cleanups.push(async () => {
      await real.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const pdf = Buffer.from('%PDF-1.7\n% a tiny test body\n%%EOF\n');
    const sha256 = crypto.createHash('sha256').update(pdf).digest('hex');
    const post = async (key: string, body: Buffer, sha: string) => {
      const form = new FormData();
      form.append('metadata', new Blob([JSON.stringify({ documentId: key, sha256: sha, pages: 1 })], { type: 'application/json' }));
      form.append('document', new Blob([new Uint8Array(body)], { type: 'application/pdf' }), 'd.pdf');
      const response = await fetch(`${real.url}/documents`, { method: 'POST', headers: { 'idempotency-key': key }, body: form });
      return { status: response.status, body: (await response.json()) as { id: string; sha256: string; code?: string } };
    };
    const answers = await Promise.all(Array.from({ length: 8 }, () => post('doc-1', pdf, sha256)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers[0]!.body.sha256).toBe(sha256);
    expect(real.app.store.created.get('doc-1')).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(['doc-1']);
    // The same key with other content is a conflict; a wrong checksum and a missing key are refused.
    const other = Buffer.from('%PDF-1.7\n% other\n');
    expect((await post('doc-1', other, crypto.createHash('sha256').update(other).digest('hex'))).status).toBe(409);
    expect((await post('doc-2', pdf, '0'.repeat(64))).body.code).toBe('checksum_mismatch');
    expect((await fetch(`${real.url}/documents`, { method: 'POST', body: 'x' })).status).toBe(400);
    // GET by the receiver's id: receipt with metadata, and the PDF byte for byte.
    const id = answers[0]!.body.id;
    const read = (await (await fetch(`${real.url}/documents/${id}`)).json()) as { sha256: string; metadata: { documentId: string } };
    expect(read).toMatchObject({ sha256, metadata: { documentId: 'doc-1' } });
    expect(Buffer.from(await (await fetch(`${real.url}/documents/${id}/content`)).arrayBuffer())).toEqual(pdf);
  });
});

describe('sending rules', () => {
  it('backs off exponentially with jitter, capped, and reads Retry-After as seconds or an HTTP date', () => {
    const low = () => 0;
    const high = () => 0.999999;
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1_000, 60_000, low))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1_000, 60_000, high))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffMs(30, 1_000, 60_000, high)).toBe(60_000);
    expect(parseRetryAfter('7')).toBe(7_000);
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('999999')).toBe(3_600_000);
  });

  it('rejects a bad sending configuration with the field named', () => {
    expect(() => parseConfig({ sending: { concurrency: 3 } }, 'config.json')).toThrow(ConfigError);
    expect(() => parseConfig({ sending: { concurrency: 3 } }, 'config.json')).toThrow(/sending\.concurrency/);
    expect(() => parseConfig({ sending: { targets: [{ kind: 'rest', name: 'dms', url: 'not a url' }] } }, 'config.json')).toThrow(/sending\.targets\.0\.url/);
    expect(() => parseConfig({ sending: { targets: [{ kind: 'ftp', name: 'x' }] } }, 'config.json')).toThrow(/sending\.targets\.0/);
    expect(parseConfig({}, 'defaults').sending).toMatchObject({ defaultTarget: 'outbox', retentionDays: 7, concurrency: 1, targets: [] });
  });
});
