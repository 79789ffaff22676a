/**
 * The app:// protocol handler: the built renderer from dist/renderer and the read-only resources
 * (from the core process), each with the CSP and nosniff. Only GET, only app://station/…; the
 * path goes through the same strict mapping as browser mode. Uses the standard Request/Response,
 * so it runs (and is tested) in plain Node as well.
 */
import fs from 'node:fs';
import type { ResourceResponse } from '../api/resources.js';
import { contentTypeFor, NOT_BUILT_PAGE, staticFileFor } from '../web/static-files.js';
import { appResponseHeaders, resolveAppRequest } from './security.js';

export interface ResourceSource {
  resource(pathname: string): Promise<ResourceResponse>;
}

const notFound = () => new Response('Not found', { status: 404, headers: appResponseHeaders('text/plain; charset=utf-8') });

export function createAppProtocolHandler(options: { rendererDir: string; resources: ResourceSource }): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET') return new Response('Method not allowed', { status: 405, headers: appResponseHeaders('text/plain; charset=utf-8') });
    const target = resolveAppRequest(request.url);
    if (!target) return notFound();
    if (target.kind === 'resource') {
      const resource = await options.resources.resource(target.pathname);
      if (resource.status !== 200) return notFound();
      const body = 'body' in resource ? resource.body : await fs.promises.readFile(resource.file).catch(() => null);
      if (!body) return notFound();
      return new Response(new Uint8Array(body), { status: 200, headers: appResponseHeaders(resource.contentType) });
    }
    const file = staticFileFor(options.rendererDir, target.pathname);
    if (!file) return notFound();
    try {
      const data = await fs.promises.readFile(file);
      return new Response(new Uint8Array(data), { status: 200, headers: appResponseHeaders(contentTypeFor(file)) });
    } catch {
      if (file.endsWith('index.html')) return new Response(NOT_BUILT_PAGE, { status: 200, headers: appResponseHeaders('text/html; charset=utf-8') });
      return notFound();
    }
  };
}
