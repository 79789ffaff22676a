/**
 * The reference receiver (main/receiver/openapi.yaml) as a function from a buffered request to an
 * answer, so the HTTP server and the tests' fault-injecting wrapper share one implementation.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { boundaryOf, MultipartError, parseMultipart } from './multipart.js';
import { ReceiverStore } from './store.js';

export interface ReceiverRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface ReceiverAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ReceiverOptions {
  dir: string;
  /** When set, /documents requires `Authorization: Bearer <token>`. */
  token?: string;
  maxBytes?: number;
  /** Default true; false only for benchmarks of the sender (documents are then not crash-safe here). */
  fsync?: boolean;
  /** Told about each stored document (id and key only: never names or content). */
  log?: (line: string) => void;
}

export const idempotencyKey = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/);

const metadataSchema = z
  .object({
    documentId: z.string().min(1).max(200),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    pages: z.number().int().min(0),
  })
  .passthrough();

const json = (status: number, value: unknown, headers: Record<string, string> = {}): ReceiverAnswer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: Buffer.from(JSON.stringify(value)),
});
const problem = (status: number, code: string, message: string) => json(status, { code, message });

export class ReceiverApp {
  readonly store: ReceiverStore;
  readonly maxBytes: number;

  constructor(private readonly options: ReceiverOptions) {
    this.store = new ReceiverStore(options.dir, options.fsync ?? true);
    this.maxBytes = options.maxBytes ?? 200 * 1024 * 1024;
  }

  /** Checked before the body is read: wrong credentials or a missing key need not upload megabytes. */
  precheck(method: string, url: string, headers: http.IncomingHttpHeaders): ReceiverAnswer | undefined {
    const path = new URL(url, 'http://receiver').pathname;
    if (path === '/health') return undefined;
    if (this.options.token) {
      const given = Buffer.from(headers.authorization ?? '');
      const wanted = Buffer.from(`Bearer ${this.options.token}`);
      if (given.length !== wanted.length || !crypto.timingSafeEqual(given, wanted)) return problem(401, 'unauthorized', 'A valid bearer token is required.');
    }
    if (method === 'POST' && path === '/documents') {
      if (!idempotencyKey.safeParse(headers['idempotency-key']).success) return problem(400, 'idempotency_key', 'Idempotency-Key is required: 1 to 200 letters, digits, "_" or "-".');
      if (Number(headers['content-length'] ?? 0) > this.maxBytes) return problem(413, 'too_large', `Documents up to ${this.maxBytes} bytes are accepted.`);
    }
    return undefined;
  }

  async handle(request: ReceiverRequest): Promise<ReceiverAnswer> {
    const early = this.precheck(request.method, request.url, request.headers);
    if (early) return early;
    const path = new URL(request.url, 'http://receiver').pathname;
    if (path === '/health' && (request.method === 'GET' || request.method === 'HEAD')) return json(200, { status: 'ok' });
    if (path === '/documents' && request.method === 'POST') return this.receive(request);
    const match = /^\/documents\/([A-Za-z0-9-]{1,100})(\/content)?$/.exec(path);
    if (match && request.method === 'GET') {
      const key = this.store.keyForId(match[1]!);
      if (!key) return problem(404, 'not_found', 'No document with this id.');
      if (match[2]) return { status: 200, headers: { 'content-type': 'application/pdf' }, body: fs.readFileSync(this.store.pdfPath(key)) };
      return json(200, { ...this.store.receiptFor(key), metadata: this.store.metadataFor(key) });
    }
    return problem(404, 'not_found', 'No such endpoint.');
  }

  private async receive(request: ReceiverRequest): Promise<ReceiverAnswer> {
    const key = String(request.headers['idempotency-key']);
    let parts;
    try {
      parts = parseMultipart(request.body, boundaryOf(request.headers['content-type']));
    } catch (error) {
      return problem(400, 'bad_multipart', (error as MultipartError).message);
    }
    const metadataPart = parts.find((p) => p.name === 'metadata');
    const documentPart = parts.find((p) => p.name === 'document');
    if (!metadataPart || !documentPart) return problem(400, 'missing_part', 'Both parts are required: "metadata" (JSON) and "document" (PDF).');
    let metadata: z.infer<typeof metadataSchema>;
    try {
      metadata = metadataSchema.parse(JSON.parse(metadataPart.data.toString('utf8')));
    } catch {
      return problem(422, 'bad_metadata', 'The metadata part must be JSON with documentId, sha256 and pages.');
    }
    if (documentPart.data.subarray(0, 5).toString('latin1') !== '%PDF-') return problem(415, 'not_pdf', 'The document part is not a PDF.');
    const sha256 = crypto.createHash('sha256').update(documentPart.data).digest('hex');
    if (sha256 !== metadata.sha256) return problem(422, 'checksum_mismatch', 'The PDF does not match the sha256 in its metadata.');
    const outcome = await this.store.store(key, Buffer.from(documentPart.data), metadata, sha256);
    if (outcome.kind === 'conflict') return problem(409, 'conflict', 'This Idempotency-Key was used for a different document.');
    this.options.log?.(`${outcome.kind === 'created' ? 'stored' : 'repeat '} ${outcome.receipt.id} (key ${key})`);
    const { id, sha256: storedSha } = outcome.receipt;
    return json(outcome.kind === 'created' ? 201 : 200, { id, sha256: storedSha, idempotencyKey: key, receivedAt: outcome.receipt.receivedAt }, { location: `/documents/${id}` });
  }
}

/** Reads a request body up to `max` bytes; rejects beyond it. */
export function readBody(request: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(Object.assign(new Error('too large'), { code: 'too_large' }));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    request.on('aborted', () => reject(new Error('aborted')));
  });
}

export function send(response: http.ServerResponse, answer: ReceiverAnswer): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  response.end(answer.body);
}

export interface RunningReceiver {
  app: ReceiverApp;
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

export async function startReceiver(options: ReceiverOptions & { port?: number; host?: string }): Promise<RunningReceiver> {
  const app = new ReceiverApp(options);
  const server = http.createServer((request, response) => {
    const early = app.precheck(request.method ?? 'GET', request.url ?? '/', request.headers);
    if (early) {
      request.resume();
      send(response, early);
      return;
    }
    readBody(request, app.maxBytes)
      .then((body) => app.handle({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body }))
      .then((answer) => send(response, answer))
      .catch((error: { code?: string }) => {
        if (response.headersSent || request.destroyed) return;
        send(response, error.code === 'too_large' ? json(413, { code: 'too_large', message: 'Too large.' }) : json(500, { code: 'internal', message: 'The receiver failed.' }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    app,
    server,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
