/**
 * A page's layers (mrc.ts) built ahead of assembly, one worker task per page, and kept in a file
 * the assembly reads: a document's grey pages are recoded on every core at once instead of one
 * after another in the single task that writes the PDF. The file holds the decision either way (a
 * page that keeps its JPEG is not looked at twice) and names the JPEG it was built from, so a file
 * that does not belong to the page's bytes is never used. Written atomically (temp file, fsync,
 * rename); the station keeps these files in its scratch folder, which a restart empties, so after
 * a crash the assembly simply builds them again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { writeFileAtomic } from '../store/files.js';
import { buildMrc, type MrcPage } from './mrc.js';

export interface LayerPageTask {
  jpegPath: string;
  dpi: number;
  outPath: string;
}

export interface LayerPageResult {
  layered: boolean;
}

/** The layers of a page, or null when it keeps its JPEG. */
export type PageLayers = MrcPage | null;

const MAGIC = Buffer.from('ISLAYER1', 'latin1');

interface Header {
  /** sha256 of the JPEG and the dpi the decision was made for. */
  source: string;
  use: boolean;
  background?: Omit<MrcPage['background'], 'jpeg'> & { bytes: number };
  mask?: Omit<MrcPage['mask'], 'jbig2'> & { bytes: number };
  ink?: number[];
}

function sourceKey(jpeg: Uint8Array, dpi: number): string {
  return `${crypto.createHash('sha256').update(jpeg).digest('hex')}@${dpi}`;
}

/** Builds the page's layers (or decides it keeps its JPEG) and writes the answer to `outPath`. */
export async function layerPage(task: LayerPageTask): Promise<LayerPageResult> {
  const jpeg = await fs.promises.readFile(task.jpegPath);
  const decision = await buildMrc(jpeg, task.dpi);
  writeFileAtomic(task.outPath, encodeLayers(sourceKey(jpeg, task.dpi), decision.use ? decision.page : null));
  return { layered: decision.use };
}

/**
 * The layers kept for this JPEG at this dpi; undefined when there is no file or it was built from
 * other bytes (the assembly then decides itself).
 */
export function readPageLayers(file: string, jpeg: Uint8Array, dpi: number): PageLayers | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return decodeLayers(bytes, sourceKey(jpeg, dpi));
}

export function encodeLayers(source: string, page: PageLayers): Buffer {
  const header: Header = page
    ? {
        source,
        use: true,
        background: { width: page.background.width, height: page.background.height, factor: page.background.factor, components: page.background.components, bytes: page.background.jpeg.length },
        mask: { width: page.mask.width, height: page.mask.height, bytes: page.mask.jbig2.length },
        ink: page.ink,
      }
    : { source, use: false };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, length, json, ...(page ? [page.background.jpeg, page.mask.jbig2] : [])]);
}

/** undefined when the file is not for `source` or is not whole. */
export function decodeLayers(bytes: Buffer, source: string): PageLayers | undefined {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const jsonEnd = MAGIC.length + 4 + bytes.readUInt32BE(MAGIC.length);
  if (jsonEnd > bytes.length) return undefined;
  const header = JSON.parse(bytes.subarray(MAGIC.length + 4, jsonEnd).toString('utf8')) as Header;
  if (header.source !== source) return undefined;
  if (!header.use) return null;
  const { background, mask, ink } = header;
  if (!background || !mask || !ink || jsonEnd + background.bytes + mask.bytes !== bytes.length) return undefined;
  const jpegEnd = jsonEnd + background.bytes;
  return {
    background: { jpeg: bytes.subarray(jsonEnd, jpegEnd), width: background.width, height: background.height, factor: background.factor, components: background.components },
    mask: { jbig2: new Uint8Array(bytes.subarray(jpegEnd)), width: mask.width, height: mask.height },
    ink,
  };
}
