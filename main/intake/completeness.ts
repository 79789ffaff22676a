/**
 * Cheap structural checks that a file has been written to its end, read from its first and last
 * bytes only. A scanner that pauses longer than the stability window over a slow share leaves a
 * file that is stable but not finished; taking it then would lose the rest of the page.
 */
import fs from 'node:fs';

const TAIL_BYTES = 1024;

export type Completeness = 'complete' | 'incomplete' | 'unknown';

export async function checkComplete(file: string): Promise<Completeness> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return 'unknown';
    const head = Buffer.alloc(Math.min(16, size));
    await handle.read(head, 0, head.length, 0);
    const tailLength = Math.min(TAIL_BYTES, size);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    return judge(head, tail, size);
  } finally {
    await handle.close();
  }
}

function judge(head: Buffer, tail: Buffer, size: number): Completeness {
  // JPEG: ends with the EOI marker (some writers pad a few bytes after it).
  if (head[0] === 0xff && head[1] === 0xd8) return tail.subarray(-64).includes(Buffer.from([0xff, 0xd9])) ? 'complete' : 'incomplete';
  // PNG: the IEND chunk closes the file.
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return tail.subarray(-32).includes(Buffer.from('IEND')) ? 'complete' : 'incomplete';
  }
  // PDF: %%EOF near the end (incremental updates append more, each with its own %%EOF).
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return tail.includes(Buffer.from('%%EOF')) ? 'complete' : 'incomplete';
  // WebP: the RIFF header states the file's length.
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') {
    return head.readUInt32LE(4) + 8 <= size ? 'complete' : 'incomplete';
  }
  // TIFF and anything else: the decoder's own checks decide later.
  return 'unknown';
}
