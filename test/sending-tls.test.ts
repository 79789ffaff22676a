/**
 * REST over TLS: the server's certificate is verified (an untrusted one stops the document with
 * "needs attention", it is never accepted), a private CA is trusted through caFile, the station
 * authenticates with a client certificate, and the whole exchange can go through a CONNECT proxy.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../main/config/schema.js';
import { createStation, type Station } from '../main/station.js';
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

function station(target: Record<string, unknown>): Station {
  const dataDir = copyTemplate(template);
  const config = parseConfig({ stationId: 'send-test', sending: { targets: [{ kind: 'rest', name: 'dms', ...target }], defaultTarget: 'dms', timeoutMs: 5_000, backoffBaseMs: 100 } }, 'test');
  const s = createStation({ dataDir, config, watch: false });
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
    const s = station({
      url: server.url,
      caFile: pki.caCert,
      proxy: proxy.url,
      auth: { type: 'client_certificate', certFile: pki.clientCert, keyFile: pki.clientKey },
    });
    const ids = queueDocuments(s, firstDocuments(s, 2));
    await s.start();
    await waitFor(() => ids.every((id) => s.store.documents.get(id)!.state === 'uploaded'), 30_000, 'delivery over TLS');
    expect(server.app.store.keys().sort()).toEqual([...ids].sort());
    expect(server.clients).toEqual(ids.map(() => 'intake-client'));
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.tunnels)).toEqual(new Set([new URL(server.url).host]));
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
