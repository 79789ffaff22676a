/**
 * The built renderer (dist/renderer) as files, shared by browser mode and the Electron app://
 * protocol. A URL path maps to a file only through a strict pattern and a containment check:
 * no "..", no encoded separators, no dot files, nothing outside the folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** dist/renderer beside this source tree (dev) or beside the bundle (dist/main → dist/renderer). */
export function defaultRendererDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../dist/renderer'), path.resolve(here, '../renderer')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html'))) ?? candidates[0]!;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * The file a URL path names inside `root`, or null. "/" and extensionless paths (client routes)
 * are index.html. The path is used as sent (percent-escapes are not decoded: no file needs them).
 */
export function staticFileFor(root: string, pathname: unknown): string | null {
  if (typeof pathname !== 'string' || pathname.length > 512 || !pathname.startsWith('/')) return null;
  const segments = pathname.slice(1).split('/').filter((segment, index, all) => segment !== '' || index < all.length - 1);
  if (segments.length === 0) return path.join(path.resolve(root), 'index.html');
  if (!segments.every((segment) => SEGMENT.test(segment) && !segment.includes('..'))) return null;
  const last = segments[segments.length - 1]!;
  if (!path.extname(last)) return path.join(path.resolve(root), 'index.html');
  if (!(path.extname(last).toLowerCase() in CONTENT_TYPES)) return null;
  const base = path.resolve(root);
  const full = path.resolve(base, ...segments);
  return full.startsWith(base + path.sep) ? full : null;
}

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Shown instead of the app when the renderer has not been built yet. */
export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Intake Station: UI not built</title></head>
<body>
<h1>The station is running, but its user interface has not been built yet.</h1>
<p>Run <code>npm run build</code> in the project folder, then reload this page.</p>
<p lang="de">Die Station läuft, aber die Oberfläche ist noch nicht gebaut: im Projektordner <code>npm run build</code> ausführen und die Seite neu laden.</p>
</body></html>
`;

/** Shown to a browser that comes without the access token (or with one from an earlier launch). */
export const UNAUTHORIZED_PAGE = `<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Intake Station: Zugang</title></head>
<body>
<h1>Bitte die Adresse mit dem Zugangsschlüssel öffnen.</h1>
<p>Die Station zeigt beim Start eine Adresse der Form <code>http://127.0.0.1:…/?token=…</code> an. Diese Adresse öffnen (sie gilt nur bis zum nächsten Start).</p>
<p lang="en">Open the address the station printed when it started (<code>http://127.0.0.1:…/?token=…</code>); it is valid until the station restarts.</p>
</body></html>
`;
