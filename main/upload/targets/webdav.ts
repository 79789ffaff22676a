/**
 * WebDAV target: PUT <collection>/<document id>.pdf, then the metadata sidecar <document id>.json
 * (last, so a reader that waits for the sidecar never sees half a PDF). The names are fixed by the
 * document id, so a repeat overwrites instead of duplicating; on a repeat the sidecar and the PDF's
 * size are checked first and a complete earlier upload is confirmed without sending again.
 */
import fs from 'node:fs';
import type http from 'node:http';
import type { Response } from 'node-fetch';
import { authHeaders, createAgent, loadNodeFetch, statusError, withTimeout, type HttpTargetOptions } from './http.js';
import { endpoint } from './rest.js';
import { SendError, type Receipt, type SendRequest, type UploadTarget } from './types.js';

export class WebDavTarget implements UploadTarget {
  readonly kind = 'webdav' as const;
  private readonly agent: http.Agent;
  private collectionReady = false;

  constructor(
    readonly name: string,
    private readonly options: HttpTargetOptions & { timeoutMs: number },
  ) {
    this.agent = createAgent(options);
  }

  private async request(url: string, method: string, signal: AbortSignal, init: { headers?: Record<string, string>; body?: NodeJS.ReadableStream | string } = {}): Promise<Response> {
    return (await loadNodeFetch())(url, { method, agent: this.agent, signal, redirect: 'error', headers: { ...authHeaders(this.options.auth), ...init.headers }, body: init.body as never });
  }

  /** Creates the collection and its parents where missing (MKCOL; 405 means it is already there). */
  private async ensureCollection(signal: AbortSignal): Promise<void> {
    if (this.collectionReady) return;
    const base = new URL(this.options.url.endsWith('/') ? this.options.url : `${this.options.url}/`);
    const check = await this.request(base.toString(), 'PROPFIND', signal, { headers: { depth: '0' } });
    await check.arrayBuffer();
    if (check.status === 404 || check.status === 409) {
      const segments = base.pathname.split('/').filter(Boolean);
      for (let i = 1; i <= segments.length; i++) {
        const url = new URL(`/${segments.slice(0, i).join('/')}/`, base).toString();
        const made = await this.request(url, 'MKCOL', signal);
        await made.arrayBuffer();
        if (!made.ok && made.status !== 405) throw statusError(made.status, made.headers.get('retry-after'), 'WebDAV server');
      }
    } else if (!check.ok && check.status !== 207) {
      throw statusError(check.status, check.headers.get('retry-after'), 'WebDAV server');
    }
    this.collectionReady = true;
  }

  /** An earlier upload of exactly this document, complete (sidecar present, checksum and size equal)? */
  private async alreadyThere(pdfUrl: string, sidecarUrl: string, sha256: string, bytes: number, signal: AbortSignal): Promise<boolean> {
    const sidecar = await this.request(sidecarUrl, 'GET', signal);
    const text = await sidecar.text();
    if (sidecar.status === 404) return false;
    if (!sidecar.ok) throw statusError(sidecar.status, sidecar.headers.get('retry-after'), 'WebDAV server');
    let stored: { sha256?: unknown };
    try {
      stored = JSON.parse(text);
    } catch {
      return false;
    }
    if (stored.sha256 !== sha256) return false;
    const head = await this.request(pdfUrl, 'HEAD', signal);
    await head.arrayBuffer();
    return head.ok && Number(head.headers.get('content-length')) === bytes;
  }

  async send(request: SendRequest): Promise<Receipt> {
    const { metadata, pdfPath } = request;
    return withTimeout(request.signal, this.options.timeoutMs, async (signal) => {
      await this.ensureCollection(signal);
      const pdfUrl = endpoint(this.options.url, `${encodeURIComponent(metadata.documentId)}.pdf`);
      const sidecarUrl = endpoint(this.options.url, `${encodeURIComponent(metadata.documentId)}.json`);
      const size = fs.statSync(pdfPath).size;
      if (await this.alreadyThere(pdfUrl, sidecarUrl, metadata.sha256, size, signal)) {
        return { remoteId: new URL(pdfUrl).pathname, sha256: metadata.sha256, httpStatus: 200, detail: { confirmedExisting: true } };
      }
      const put = await this.request(pdfUrl, 'PUT', signal, {
        headers: { 'content-type': 'application/pdf', 'content-length': String(size) },
        body: fs.createReadStream(pdfPath),
      });
      await put.arrayBuffer();
      if (!put.ok) throw statusError(put.status, put.headers.get('retry-after'), 'WebDAV server');
      const head = await this.request(pdfUrl, 'HEAD', signal);
      await head.arrayBuffer();
      if (!head.ok || Number(head.headers.get('content-length')) !== size) {
        throw new SendError('verify_failed', 'retry', 'The WebDAV server does not show the complete PDF after the upload.', { httpStatus: head.status });
      }
      const json = JSON.stringify(metadata, null, 2);
      const side = await this.request(sidecarUrl, 'PUT', signal, {
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(json)) },
        body: json,
      });
      await side.arrayBuffer();
      if (!side.ok) throw statusError(side.status, side.headers.get('retry-after'), 'WebDAV server');
      return { remoteId: new URL(pdfUrl).pathname, sha256: metadata.sha256, httpStatus: put.status };
    });
  }

  async probe(outer: AbortSignal): Promise<void> {
    await withTimeout(outer, Math.min(this.options.timeoutMs, 10_000), async (signal) => {
      const response = await this.request(this.options.url, 'OPTIONS', signal);
      await response.arrayBuffer();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
