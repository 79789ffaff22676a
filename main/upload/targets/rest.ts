/**
 * REST target (main/receiver/openapi.yaml): one multipart POST with a JSON metadata part and the PDF,
 * `Idempotency-Key` = document id, so a repeat after a lost reply is answered with the first receipt
 * instead of a second copy. The reply's checksum must equal ours before the document counts as sent.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { authHeaders, createAgent, nodeFetchClient, statusError, withTimeout, type HttpFetch, type HttpTargetOptions } from './http.js';
import { SendError, type Receipt, type SendRequest, type UploadTarget } from './types.js';

const replySchema = z.object({ id: z.string().min(1).max(200), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/** Joins a base URL and a relative path, whether or not the base ends with a slash. */
export function endpoint(base: string, relative: string): string {
  return new URL(relative, base.endsWith('/') ? base : `${base}/`).toString();
}

export function multipartBody(metadata: unknown, pdfPath: string, fileName: string): { body: Readable; length: number; contentType: string } {
  const boundary = `----intake-${crypto.randomBytes(12).toString('hex')}`;
  const json = Buffer.from(JSON.stringify(metadata), 'utf8');
  const head = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\nContent-Type: application/json; charset=utf-8\r\n\r\n`),
    json,
    Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="${fileName}"\r\nContent-Type: application/pdf\r\n\r\n`),
  ]);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = fs.statSync(pdfPath).size;
  async function* parts() {
    yield head;
    for await (const chunk of fs.createReadStream(pdfPath, { highWaterMark: 256 * 1024 })) yield chunk as Buffer;
    yield tail;
  }
  return { body: Readable.from(parts(), { objectMode: false }), length: head.length + size + tail.length, contentType: `multipart/form-data; boundary=${boundary}` };
}

export class RestTarget implements UploadTarget {
  readonly kind = 'rest' as const;
  private readonly agent: http.Agent;
  private readonly fetch: HttpFetch;

  /** `httpFetch`: the HTTP client to use instead of node-fetch through our agent (see createTargets). */
  constructor(
    readonly name: string,
    private readonly options: HttpTargetOptions & { timeoutMs: number },
    httpFetch?: HttpFetch,
  ) {
    this.agent = createAgent(options);
    this.fetch = httpFetch ?? nodeFetchClient(this.agent);
  }

  async send(request: SendRequest): Promise<Receipt> {
    const { metadata, pdfPath, idempotencyKey } = request;
    return withTimeout(request.signal, this.options.timeoutMs, async (signal) => {
      const multipart = multipartBody(metadata, pdfPath, `${metadata.documentId}.pdf`);
      const response = await this.fetch(endpoint(this.options.url, 'documents'), {
        method: 'POST',
        signal,
        redirect: 'error',
        headers: {
          ...authHeaders(this.options.auth),
          'content-type': multipart.contentType,
          'content-length': String(multipart.length),
          'idempotency-key': idempotencyKey,
          accept: 'application/json',
        },
        body: multipart.body,
      });
      const text = await response.text();
      if (!response.ok) throw statusError(response.status, response.headers.get('retry-after'), 'receiving server');
      let reply: z.infer<typeof replySchema>;
      try {
        reply = replySchema.parse(JSON.parse(text));
      } catch {
        throw new SendError('bad_reply', 'retry', `The receiving server answered HTTP ${response.status} without a valid receipt (id and sha256).`, { httpStatus: response.status });
      }
      if (reply.sha256 !== metadata.sha256) {
        throw new SendError('checksum_mismatch', 'permanent', 'The receiving server holds a document whose checksum differs from this one.', { httpStatus: response.status });
      }
      return { remoteId: reply.id, sha256: reply.sha256, httpStatus: response.status };
    });
  }

  async probe(outer: AbortSignal): Promise<void> {
    await withTimeout(outer, Math.min(this.options.timeoutMs, 10_000), async (signal) => {
      const response = await this.fetch(endpoint(this.options.url, 'health'), { signal, headers: authHeaders(this.options.auth) });
      await response.arrayBuffer();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
