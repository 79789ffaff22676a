/**
 * Cheap checks from a file's bytes, before any pixel is decoded: what the file is (magic bytes,
 * never the name), what size its header declares, and whether it ends where its format says
 * it must. Everything here is synchronous and reads headers only.
 */
import type { SourceFormat } from './types.js';
import type { BadInputCode } from './bad-input.js';

/** How many leading bytes `sniffFormat` looks at (text and SVG detection use the first KB). */
export const SNIFF_BYTES = 1024;

export type ProbeResult = { format: SourceFormat } | { code: BadInputCode; message: string };

const ACCEPTED = 'The station accepts JPEG, PNG, TIFF, WebP and PDF.';

function startsWith(head: Buffer, bytes: number[], offset = 0): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((byte, i) => head[offset + i] === byte);
}

function ascii(head: Buffer, start: number, end: number): string {
  return head.subarray(start, Math.min(end, head.length)).toString('latin1');
}

/** Other image and container formats people send, named so the message says what arrived. */
const OTHER_FORMATS: Array<{ test: (head: Buffer) => boolean; name: string }> = [
  { test: (h) => ascii(h, 0, 6) === 'GIF87a' || ascii(h, 0, 6) === 'GIF89a', name: 'a GIF image' },
  { test: (h) => ascii(h, 0, 2) === 'BM' && h.length >= 14, name: 'a BMP image' },
  { test: (h) => ascii(h, 4, 8) === 'ftyp' && /^(heic|heix|hevc|mif1|msf1|avif)/.test(ascii(h, 8, 12)), name: 'a HEIC/AVIF image (a phone photo format)' },
  { test: (h) => startsWith(h, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(h, [0xff, 0x4f, 0xff, 0x51]), name: 'a JPEG 2000 image' },
  { test: (h) => startsWith(h, [0x1f, 0x8b]), name: 'a gzip-compressed file (perhaps a compressed SVG)' },
  { test: (h) => ascii(h, 0, 4) === 'Rar!' || startsWith(h, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]), name: 'an archive (RAR or 7-Zip)' },
  { test: (h) => ascii(h, 0, 4) === 'AT&T' && ascii(h, 4, 8) === 'FORM', name: 'a DjVu document' },
  { test: (h) => startsWith(h, [0x7f, 0x45, 0x4c, 0x46]) || ascii(h, 0, 2) === 'MZ', name: 'a program file' },
];

/** Looks like text: valid UTF-8 (or Latin-1 without control bytes) and no NUL byte. */
function looksLikeText(head: Buffer): boolean {
  const sample = head.subarray(0, SNIFF_BYTES);
  if (sample.includes(0)) return false;
  let control = 0;
  for (const byte of sample) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control++;
  }
  return control <= sample.length / 100;
}

function textKind(head: Buffer): ProbeResult | undefined {
  let start = 0;
  if (startsWith(head, [0xef, 0xbb, 0xbf])) start = 3;
  const text = ascii(head, start, SNIFF_BYTES).trimStart().toLowerCase();
  // SVG can reference local files and run scripts in some renderers: refuse it by content,
  // whatever the name, and before any other text check could let it through.
  if (text.includes('<svg') || text.includes('dtd svg')) {
    return { code: 'svg', message: 'The file is an SVG drawing. SVG files are never opened: they can reference local files.' };
  }
  if (!looksLikeText(head)) return undefined;
  if (text.startsWith('{\\rtf')) {
    return { code: 'text_or_office', message: `The file is a Rich Text (RTF) document, not a scan. ${ACCEPTED}` };
  }
  if (text.startsWith('<?xml')) {
    return { code: 'text_or_office', message: `The file is an XML text file, not a scan. ${ACCEPTED}` };
  }
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) {
    return { code: 'text_or_office', message: `The file is a web page (HTML), not a scan. ${ACCEPTED}` };
  }
  return { code: 'text_or_office', message: `The file is plain text, not a scan. ${ACCEPTED}` };
}

/** What the first bytes say the file is, or why it is refused, with a message for staff. */
export function probeHead(head: Buffer): ProbeResult {
  if (head.length === 0) return { code: 'empty', message: 'The file is empty (0 bytes); the scanner wrote nothing into it.' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { format: 'jpeg' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { format: 'png' };
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return { format: 'tiff' };
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) return { format: 'tiff' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { format: 'webp' };
  if (ascii(head, 0, 5) === '%PDF-') return { format: 'pdf' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
    const name = ascii(head, 30, SNIFF_BYTES);
    const kind = name.startsWith('word/') || name.includes('word/')
      ? 'a Word document (.docx)'
      : name.includes('xl/')
        ? 'an Excel workbook (.xlsx)'
        : name.startsWith('mimetype')
          ? 'an OpenDocument file (.odt/.ods)'
          : 'a ZIP container (such as a .docx, .xlsx or .zip file)';
    return { code: 'text_or_office', message: `The file is ${kind}, not a scan. ${ACCEPTED}` };
  }
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    return { code: 'text_or_office', message: `The file is an old Microsoft Office document (.doc/.xls, OLE2 format), not a scan. ${ACCEPTED}` };
  }
  for (const other of OTHER_FORMATS) {
    if (other.test(head)) return { code: 'unknown_format', message: `The file is ${other.name}. ${ACCEPTED}` };
  }
  const text = textKind(head);
  if (text) return text;
  const hex = [...head.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return { code: 'unknown_format', message: `The file's first bytes (${hex}) match no image or PDF format. ${ACCEPTED}` };
}

/** The format told from magic bytes, or the code of the reason the file is refused. */
export function sniffFormat(head: Buffer): SourceFormat | BadInputCode {
  const result = probeHead(head);
  return 'format' in result ? result.format : result.code;
}

// ---------------------------------------------------------------------------------------------
// Declared sizes, read from headers. sharp's metadata() refuses some headers (a PNG with nothing
// but its IHDR) before we could say which size was declared, so the two common formats are read
// here directly.

export interface DeclaredImage {
  width: number;
  height: number;
  /** Colour components per pixel (JPEG: 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK). */
  components?: number;
  bitsPerSample?: number;
  progressive?: boolean;
}

/** Width, height and components from a JPEG's SOF marker, or undefined when none is found. */
export function readJpegHeader(buf: Buffer): DeclaredImage | undefined {
  let offset = 2;
  while (offset + 4 <= buf.length) {
    if (buf[offset] !== 0xff) return undefined;
    const marker = buf[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // image data before any frame header
    const length = buf.readUInt16BE(offset + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (offset + 10 > buf.length) return undefined;
      return {
        bitsPerSample: buf[offset + 4],
        height: buf.readUInt16BE(offset + 5),
        width: buf.readUInt16BE(offset + 7),
        components: buf[offset + 9],
        progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce,
      };
    }
    offset += 2 + length;
  }
  return undefined;
}

const PNG_COLOUR_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Width, height and bit depth from a PNG's IHDR chunk. */
export function readPngHeader(buf: Buffer): (DeclaredImage & { colourType: number }) | undefined {
  if (buf.length < 29 || ascii(buf, 12, 16) !== 'IHDR') return undefined;
  const colourType = buf[25];
  return {
    width: buf.readUInt32BE(16),
    height: buf.readUInt32BE(20),
    bitsPerSample: buf[24],
    colourType,
    components: PNG_COLOUR_CHANNELS[colourType],
  };
}

/** Canvas size of a WebP (lossy VP8, lossless VP8L or extended VP8X). */
export function readWebpHeader(buf: Buffer): DeclaredImage | undefined {
  if (buf.length < 30) return undefined;
  const chunk = ascii(buf, 12, 16);
  if (chunk === 'VP8X') return { width: buf.readUIntLE(24, 3) + 1, height: buf.readUIntLE(27, 3) + 1 };
  if (chunk === 'VP8L') {
    const bits = buf.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ') return { width: buf.readUInt16LE(26) & 0x3fff, height: buf.readUInt16LE(28) & 0x3fff };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Truncation: each format has a last thing it must end with, or offsets that must lie inside
// the file. A file cut short (a scanner still writing, a copy interrupted) fails here cheaply,
// before anyone decodes it.

/** Strips bytes some writers pad files with (NULs, line ends) so the end marker can be seen. */
function trimPadding(buf: Buffer): Buffer {
  let end = buf.length;
  while (end > 0 && (buf[end - 1] === 0x00 || buf[end - 1] === 0x0a || buf[end - 1] === 0x0d || buf[end - 1] === 0x20)) end--;
  return buf.subarray(0, end);
}

function tiffTruncation(buf: Buffer): string | undefined {
  const little = buf[0] === 0x49;
  if (buf[2] === 0x2b || buf[3] === 0x2b) return undefined; // BigTIFF: left to libtiff
  const u16 = (at: number) => (little ? buf.readUInt16LE(at) : buf.readUInt16BE(at));
  const u32 = (at: number) => (little ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  if (buf.length < 8) return 'The TIFF ends inside its 8-byte header (truncated file).';
  let ifd = u32(4);
  const seen = new Set<number>();
  let page = 0;
  while (ifd !== 0) {
    if (seen.has(ifd)) return undefined; // a loop is corruption, not truncation: libtiff will say so
    seen.add(ifd);
    page++;
    if (ifd + 2 > buf.length) return `The TIFF's directory for page ${page} lies beyond the end of the file (truncated file).`;
    const entries = u16(ifd);
    const end = ifd + 2 + entries * 12;
    if (end + 4 > buf.length) return `The TIFF ends inside the directory of page ${page} (truncated file).`;
    const values = (entry: number): number[] => {
      const type = u16(entry + 2);
      const count = u32(entry + 4);
      const size = type === 3 ? 2 : 4;
      if (type !== 3 && type !== 4) return [];
      const at = count * size <= 4 ? entry + 8 : u32(entry + 8);
      if (at + count * size > buf.length) return [Number.POSITIVE_INFINITY];
      return Array.from({ length: count }, (_, i) => (size === 2 ? u16(at + i * 2) : u32(at + i * 4)));
    };
    const tags = new Map<number, number>();
    for (let entry = ifd + 2; entry < end; entry += 12) tags.set(u16(entry), entry);
    for (const [offsetsTag, countsTag] of [[273, 279], [324, 325]]) {
      if (!tags.has(offsetsTag) || !tags.has(countsTag)) continue;
      const offsets = values(tags.get(offsetsTag)!);
      const counts = values(tags.get(countsTag)!);
      for (let i = 0; i < offsets.length; i++) {
        if (offsets[i] + (counts[i] ?? 0) > buf.length) {
          return `The TIFF's image data for page ${page} runs past the end of the file (truncated file).`;
        }
      }
    }
    ifd = u32(end);
  }
  return undefined;
}

/** A message when the file ends before its format says it may, else undefined. */
export function findTruncation(format: SourceFormat, buf: Buffer): string | undefined {
  switch (format) {
    case 'jpeg': {
      const body = trimPadding(buf);
      if (body.length < 4 || body[body.length - 2] !== 0xff || body[body.length - 1] !== 0xd9) {
        return 'The JPEG ends before its last image row: its end marker is missing (truncated file).';
      }
      return undefined;
    }
    case 'png': {
      const body = trimPadding(buf);
      if (body.length < 12 || ascii(body, body.length - 8, body.length - 4) !== 'IEND') {
        return 'The PNG ends before its closing IEND chunk (truncated file).';
      }
      return undefined;
    }
    case 'webp': {
      if (buf.length < 12) return 'The WebP ends inside its header (truncated file).';
      const declared = buf.readUInt32LE(4) + 8;
      if (declared > buf.length) return `The WebP declares ${declared} bytes but the file has ${buf.length} (truncated file).`;
      return undefined;
    }
    case 'tiff':
      return tiffTruncation(buf);
    case 'pdf': {
      const tail = ascii(buf, Math.max(0, buf.length - 2048), buf.length);
      if (!tail.includes('%%EOF')) return 'The PDF ends before its %%EOF end marker (truncated file).';
      return undefined;
    }
  }
}
