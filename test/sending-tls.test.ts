/**
 * REST over TLS: the server's certificate is verified (an untrusted one stops the document with
 * "needs attention", it is never accepted), a private CA is trusted through caFile, the station
 * authenticates with a client certificate, and the whole exchange can go through a CONNECT proxy.
 * A platform HTTP client (Electron's net.fetch, here Node's global fetch through the same adapter)
 * carries plain REST sends, never a client-certificate target's.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';
import { startReceiver } from '../main/receiver/app.js';
import { webFetchClient, type HttpFetch } from '../main/upload/targets/http.js';
import { copyTemplate, firstDocuments, queueDocuments, sharedTemplate } from './support/receiver-documents.js';
import { makePki, startConnectProxy, startTlsReceiver, type TestPki } from './support/receiver-tls.js';
import { waitFor } from './support/station-process.js';

let template = '';
let pkiDir = '';
let pki: TestPki;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  template = await sharedTemplate();
  pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-pki-'));
  pki = makePki(pkiDir);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => fs.rmSync(pkiDir, { recursive: true, force: true }));

async function tlsReceiver(requireClientCert: boolean) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-receiver-'));
  const server = await startTlsReceiver(dir, pki, { requireClientCert });
  cleanups.push(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return server;
}

/** Node's global fetch (WHATWG, like net.fetch) through the adapter the Electron core uses; records each call. */
function platformFetch(): { httpFetch: HttpFetch; calls: { method: string; url: string; idempotencyKey?: string }[] } {
  const calls: { method: string; url: string; idempotencyKey?: string }[] = [];
  const httpFetch = webFetchClient((url, init) => {
    calls.push({ method: init.method ?? 'GET', url, idempotencyKey: init.headers['idempotency-key'] });
    return fetch(url, init);
  });
  return { httpFetch, calls };
}

function station(target: Record<string, unknown>, httpFetch?: HttpFetch): Station {
  const dataDir = copyTemplate(template);
  const config = parseConfig({ stationId: 'send-test', sending: { targets: [{ kind: 'rest', name: 'dms', ...target }], defaultTarget: 'dms', timeoutMs: 5_000, backoffBaseMs: 100 } }, 'test');
  const s = createStation({ dataDir, config, watch: false, httpFetch });
  cleanups.push(async () => {
    await s.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return s;
}

describe('sending over TLS', () => {
  it('delivers with a client certificate to a server signed by a private CA, through a CONNECT proxy', async () => {
    const server = await tlsReceiver(true);
    const proxy = await startConnectProxy();
    cleanups.push(() => proxy.close());
    const platform = platformFetch();
    const s = station({
      url: server.url,
      caFile: pki.caCert,
      proxy: proxy.url,
      auth: { type: 'client_certificate', certFile: pki.clientCert, keyFile: pki.clientKey },
    }, platform.httpFetch);
    const ids = queueDocuments(s, firstDocuments(s, 2));
    await s.start();
    await waitFor(() => ids.every((id) => s.store.documents.get(id)!.state === 'uploaded'), 30_000, 'delivery over TLS');
    expect(server.app.store.keys().sort()).toEqual([...ids].sort());
    expect(server.clients).toEqual(ids.map(() => 'intake-client'));
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.tunnels)).toEqual(new Set([new URL(server.url).host]));
    // The platform client cannot present a client certificate: this target never used it.
    expect(platform.calls).toEqual([]);
  });

  it('refuses a server whose certificate it cannot verify: needs attention, nothing sent', async () => {
    const server = await tlsReceiver(false);
    const s = station({ url: server.url });
    const [id] = queueDocuments(s, firstDocuments(s, 1));
    await s.start();
    await waitFor(() => s.store.documents.get(id!)!.state === 'error', 30_000, 'the refusal');
    expect(s.store.documents.get(id!)!.error).toMatch(/TLS certificate is not trusted/);
    expect(s.sending.deliveries(id!)).toMatchObject([{ outcome: 'failed', code: 'tls_untrusted' }]);
    expect(s.sending.status().online).toBe(true);
    expect(server.app.store.keys()).toEqual([]);
  });
});

describe('sending over TLS without the client certificate the server requires', () => {
  it('does not mistake the refusal for being offline forever', async () => {
    const server = await tlsReceiver(true);
    const s = station({ url: server.url, caFile: pki.caCert });
    const [id] = queueDocuments(s, firstDocuments(s, 1));
    await s.start();
    // Either refused at once (TLS alert) or, where the alert arrives as a reset, counted attempts.
    await waitFor(() => s.store.documents.get(id!)!.state === 'error' || s.sending.deliveries(id!).some((d) => d.counted === 1 && d.outcome !== 'running'), 30_000, 'the refusal to be counted');
    expect(s.sending.deliveries(id!).filter((d) => d.outcome === 'offline')).toEqual([]);
    expect(server.app.store.keys()).toEqual([]);
  });
});

describe('platform HTTP client (as Electron net.fetch)', () => {
  it('carries a plain REST target\'s sends: the PDF arrives whole, once per document', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-receiver-'));
    const real = await startReceiver({ dir });
    cleanups.push(async () => {
      await real.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const platform = platformFetch();
    const s = station({ url: real.url }, platform.httpFetch);
    const ids = queueDocuments(s, firstDocuments(s, 2));
    await s.start();
    await waitFor(() => ids.every((id) => s.store.documents.get(id)!.state === 'uploaded'), 30_000, 'delivery through the platform client');
    expect(real.app.store.keys().sort()).toEqual([...ids].sort());
    const posts = platform.calls.filter((c) => c.method === 'POST');
    expect(posts.map((c) => c.idempotencyKey).sort()).toEqual([...ids].sort());
    expect(posts.every((c) => new URL(c.url).pathname === '/documents')).toBe(true);
    // The receipt's checksum matched the station's (checked by the target), so the body was complete.
    for (const id of ids) expect(s.sending.sender.rows.sent(id)).toBeTruthy();
  });
});
