/**
 * A raw HTTP client for the browser-mode tests: unlike fetch it sends exactly the Host, Origin and
 * path given (no normalisation), so hostile requests can be made as an attacker would.
 */
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json(): any;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** Write the body in pieces without Content-Length (chunked). */
  chunked?: boolean;
  /** Send no Host header at all. */
  noHost?: boolean;
  host?: string;
}

export function request(port: number, path: string, options: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(options.headers ?? {}) };
    if (!options.noHost) headers.Host = options.host ?? `127.0.0.1:${port}`;
    if (options.body !== undefined && !options.chunked) headers['Content-Length'] = Buffer.byteLength(options.body);
    const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, setHost: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.body !== undefined && options.chunked) {
      const data = Buffer.from(options.body);
      const step = 64 * 1024;
      for (let at = 0; at < data.length; at += step) req.write(data.subarray(at, at + step));
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

/** Opens the event stream and collects its `data:` events and comment lines until closed. */
export function openEventStream(port: number, headers: Record<string, string>): Promise<{
  status: number;
  events: unknown[];
  comments: string[];
  close(): void;
}> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/events', headers: { Host: `127.0.0.1:${port}`, ...headers }, setHost: false, agent: false }, (res) => {
      const events: unknown[] = [];
      const comments: string[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of block.split('\n')) {
            if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
            else if (line.startsWith(':')) comments.push(line);
          }
        }
      });
      res.on('error', () => undefined);
      resolve({ status: res.statusCode ?? 0, events, comments, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}
