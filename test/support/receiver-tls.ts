/**
 * TLS for the sending tests: a private CA, a server certificate for 127.0.0.1 and a client
 * certificate, made with the openssl command line; the reference receiver served over HTTPS
 * (optionally requiring a client certificate from that CA); and a CONNECT proxy that counts tunnels.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ReceiverApp, readBody, send } from '../../main/receiver/app.js';

export interface TestPki {
  caCert: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
}

export function makePki(dir: string): TestPki {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Intake Test CA');
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'],
    ['client', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=intake-${name}`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  }
  const at = (name: string) => path.join(dir, name);
  return { caCert: at('ca.pem'), serverKey: at('server.key'), serverCert: at('server.pem'), clientKey: at('client.key'), clientCert: at('client.pem') };
}

export async function startTlsReceiver(dir: string, pki: TestPki, options: { requireClientCert: boolean }): Promise<{ app: ReceiverApp; url: string; clients: string[]; close(): Promise<void> }> {
  const app = new ReceiverApp({ dir });
  const clients: string[] = [];
  const server = https.createServer(
    {
      key: fs.readFileSync(pki.serverKey),
      cert: fs.readFileSync(pki.serverCert),
      ca: fs.readFileSync(pki.caCert),
      requestCert: options.requireClientCert,
      rejectUnauthorized: options.requireClientCert,
    },
    async (request, response) => {
      const peer = (request.socket as import('node:tls').TLSSocket).getPeerCertificate();
      if (request.method === 'POST') clients.push(String(peer?.subject?.CN ?? ''));
      const body = await readBody(request, app.maxBytes);
      send(response, await app.handle({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body }));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    app,
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clients,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** An HTTP proxy that only tunnels (CONNECT), as corporate proxies do for HTTPS. */
export async function startConnectProxy(): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_request, response) => {
    response.writeHead(405);
    response.end();
  });
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(request.url ?? '');
    const [host, port] = (request.url ?? '').split(':');
    const upstream = net.connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
