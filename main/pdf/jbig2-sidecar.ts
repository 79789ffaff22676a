/**
 * A black-and-white page's JBIG2 stream, coded when the page is cleaned and kept in a file beside
 * the page file (its name plus ".jb2"). The assembly is one task that writes the whole PDF after
 * the last page is cleaned: coding JBIG2 there (decode the G4, code its bits, ~12 ms CPU a page)
 * runs one page after another on one core while the others idle. The clean-up has the page's bits
 * in memory already and codes them on whichever core is free; the assembly then copies the bytes.
 *
 * The file names the G4 TIFF it was coded beside (its sha256 and the dpi) and the sha256 of its own
 * stream, so a file that does not belong to the page's bytes now, or that a crash left short or
 * torn, is never used: the assembly then codes the page as before. The PDF is the same either way,
 * as both code the same bits (G4 is lossless). So the file needs no fsync: it is written under a
 * temporary name and renamed, before the page's job commits; a re-run overwrites it, and it is
 * removed wherever its page file is removed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { writeFileUnsynced } from '../store/files.js';
import type { Jbig2Page } from './jbig2-page.js';

const SUFFIX = '.jb2';
const MAGIC = Buffer.from('ISJBIG21', 'latin1');

interface Header {
  /** sha256 of the G4 TIFF and the dpi the stream was coded for. */
  source: string;
  width: number;
  height: number;
  bytes: number;
  /** sha256 of the stream: a file that did not reach the disk whole is told from one that did. */
  sha256: string;
}

/** Where a page file's JBIG2 stream is kept. */
export function jbig2SidecarPath(pagePath: string): string {
  return `${pagePath}${SUFFIX}`;
}

function sourceKey(tiff: Uint8Array, dpi: number): string {
  return `${sha256(tiff)}@${dpi}`;
}

/** Keeps `page` (coded from the bits `tiff` holds, at `dpi`) beside the page file at `pagePath`. */
export function writeJbig2Sidecar(pagePath: string, tiff: Uint8Array, dpi: number, page: Jbig2Page): void {
  // Never synced, by anyone: a file a crash left short or torn fails its own hash when read.
  writeFileUnsynced(jbig2SidecarPath(pagePath), encodeJbig2Sidecar(sourceKey(tiff, dpi), page));
}

/**
 * The JBIG2 stream kept for the page file at `pagePath`, whose bytes are `tiff`; undefined when
 * there is none or it was coded for other bytes or another dpi. The file only saves time, so one
 * that cannot be read is passed over too: the assembly codes the page itself.
 */
export function readJbig2Sidecar(pagePath: string, tiff: Uint8Array, dpi: number): Jbig2Page | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(jbig2SidecarPath(pagePath));
  } catch {
    return undefined;
  }
  return decodeJbig2Sidecar(bytes, sourceKey(tiff, dpi));
}

/** Removes the file kept beside a page file, if there is one. */
export function removeJbig2Sidecar(pagePath: string): void {
  fs.rmSync(jbig2SidecarPath(pagePath), { force: true });
}

export function encodeJbig2Sidecar(source: string, page: Jbig2Page): Buffer {
  const header: Header = { source, width: page.width, height: page.height, bytes: page.data.length, sha256: sha256(page.data) };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, length, json, page.data]);
}

/** undefined when the file is not for `source` or is not whole. */
export function decodeJbig2Sidecar(bytes: Buffer, source: string): Jbig2Page | undefined {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const jsonEnd = MAGIC.length + 4 + bytes.readUInt32BE(MAGIC.length);
  if (jsonEnd > bytes.length) return undefined;
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(MAGIC.length + 4, jsonEnd).toString('utf8')) as Header;
  } catch {
    return undefined;
  }
  if (header.source !== source || jsonEnd + header.bytes !== bytes.length) return undefined;
  if (!Number.isInteger(header.width) || !Number.isInteger(header.height)) return undefined;
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset + jsonEnd, header.bytes);
  if (sha256(data) !== header.sha256) return undefined;
  return { data, width: header.width, height: header.height };
}

function sha256(data: Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}
