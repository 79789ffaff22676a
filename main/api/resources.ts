/**
 * Read-only resources the UI loads as URLs (img src, the PDF viewer), the same in Electron's app://
 * protocol and in browser mode:
 *   /resource/page/<pageId>/thumb     about 240 px wide JPEG, made once and cached
 *   /resource/page/<pageId>/image     the full page (JPEG as stored; 1-bit G4 TIFF pages as PNG)
 *   /resource/document/<docId>.pdf    the assembled PDF
 * Ids are checked against a strict pattern and looked up in the database; files are only ever
 * opened at paths the database names, inside the station's own folders. Anything else is 404.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import sharp from 'sharp';
import type { Station } from '../station.js';
import { statement } from '../store/statements.js';

export const THUMB_WIDTH = 240;
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export type ResourceRequest =
  | { kind: 'page-thumb'; pageId: string }
  | { kind: 'page-image'; pageId: string }
  | { kind: 'document-pdf'; documentId: string };

export type ResourceResponse =
  | { status: 200; contentType: string; body: Buffer }
  | { status: 200; contentType: string; file: string; size: number }
  | { status: 404 };

/** Parses the path of a resource URL (no query, not decoded: an encoded byte is never an id). */
export function parseResourcePath(pathname: unknown): ResourceRequest | null {
  if (typeof pathname !== 'string' || pathname.length > 300) return null;
  const parts = pathname.split('/');
  // ['', 'resource', kind, id(.pdf), (thumb|image)]
  if (parts[0] !== '' || parts[1] !== 'resource') return null;
  if (parts[2] === 'page' && parts.length === 5 && ID.test(parts[3]!)) {
    if (parts[4] === 'thumb') return { kind: 'page-thumb', pageId: parts[3]! };
    if (parts[4] === 'image') return { kind: 'page-image', pageId: parts[3]! };
    return null;
  }
  if (parts[2] === 'document' && parts.length === 4 && parts[3]!.endsWith('.pdf')) {
    const documentId = parts[3]!.slice(0, -'.pdf'.length);
    return ID.test(documentId) ? { kind: 'document-pdf', documentId } : null;
  }
  return null;
}

/** `child` (a path from the database) resolved under `root`, or null if it would leave it. */
export function containedPath(root: string, child: string): string | null {
  if (!child || child.includes('\0') || path.isAbsolute(child)) return null;
  const base = path.resolve(root);
  const full = path.resolve(base, child);
  return full.startsWith(base + path.sep) ? full : null;
}

const notFound: ResourceResponse = { status: 404 };

function statFile(file: string): fs.Stats | null {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? stat : null;
  } catch {
    return null;
  }
}

interface PageFile {
  file: string;
  format: string;
  stat: fs.Stats;
}

function pageFile(station: Station, pageId: string): PageFile | null {
  const row = statement(station.store.db, 'SELECT image_path, image_format FROM pages WHERE id = ?').get(pageId) as
    | { image_path: string; image_format: string }
    | undefined;
  if (!row) return null;
  const file = containedPath(station.paths.pages, row.image_path);
  const stat = file ? statFile(file) : null;
  return file && stat ? { file, format: row.image_format, stat } : null;
}

/** One cached derivative per page and kind; the name carries the source's mtime and size, so an edited page gets a new one. */
function cacheName(pageId: string, kind: string, stat: fs.Stats, ext: string): string {
  const version = crypto.createHash('sha256').update(`${stat.mtimeMs}:${stat.size}:${stat.ino}`).digest('hex').slice(0, 16);
  return `${pageId}.${kind}.${version}.${ext}`;
}

const inFlight = new Map<string, Promise<Buffer>>();

async function cached(station: Station, page: PageFile, pageId: string, kind: string, ext: string, make: () => Promise<Buffer>): Promise<Buffer> {
  const dir = path.join(station.paths.dataDir, 'thumbs');
  const name = cacheName(pageId, kind, page.stat, ext);
  const file = path.join(dir, name);
  try {
    return await fs.promises.readFile(file);
  } catch {
    // Not made yet.
  }
  const running = inFlight.get(file);
  if (running) return running;
  const work = (async () => {
    const data = await make();
    await fs.promises.mkdir(dir, { recursive: true });
    const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    await fs.promises.writeFile(temp, data);
    await fs.promises.rename(temp, file);
    // Older versions of this page's derivative are stale now.
    const prefix = `${pageId}.${kind}.`;
    for (const entry of await fs.promises.readdir(dir)) {
      if (entry.startsWith(prefix) && entry !== name && !entry.endsWith('.tmp')) await fs.promises.rm(path.join(dir, entry), { force: true });
    }
    return data;
  })();
  inFlight.set(file, work);
  try {
    return await work;
  } finally {
    inFlight.delete(file);
  }
}

/** Cleaned pages are the station's own output; the limit still guards against a damaged file. */
const SHARP_OPTIONS = { limitInputPixels: 120_000_000 } as const;

export async function serveResource(station: Station, pathname: unknown): Promise<ResourceResponse> {
  const request = parseResourcePath(pathname);
  if (!request) return notFound;
  try {
    switch (request.kind) {
      case 'page-thumb': {
        const page = pageFile(station, request.pageId);
        if (!page) return notFound;
        const body = await cached(station, page, request.pageId, 'thumb', 'jpg', () =>
          sharp(page.file, SHARP_OPTIONS).resize({ width: THUMB_WIDTH, withoutEnlargement: true }).flatten({ background: '#ffffff' }).jpeg({ quality: 72 }).toBuffer(),
        );
        return { status: 200, contentType: 'image/jpeg', body };
      }
      case 'page-image': {
        const page = pageFile(station, request.pageId);
        if (!page) return notFound;
        if (page.format === 'jpeg') return { status: 200, contentType: 'image/jpeg', file: page.file, size: page.stat.size };
        // Browsers cannot show TIFF: 1-bit pages become a grey PNG (small, as the page is mostly white).
        const body = await cached(station, page, request.pageId, 'image', 'png', () =>
          sharp(page.file, SHARP_OPTIONS).toColourspace('b-w').png({ compressionLevel: 6 }).toBuffer(),
        );
        return { status: 200, contentType: 'image/png', body };
      }
      case 'document-pdf': {
        const row = station.store.documents.get(request.documentId);
        const file = row?.pdf_path ? containedPath(station.paths.dataDir, row.pdf_path) : null;
        const stat = file ? statFile(file) : null;
        if (!file || !stat) return notFound;
        return { status: 200, contentType: 'application/pdf', file, size: stat.size };
      }
    }
  } catch (error) {
    station.emit('problem', { message: `A ${request.kind} resource could not be made: ${(error as Error).message}` });
    return notFound;
  }
}
