/**
 * Scratch buffers the clean-up keeps from one page for the next, per thread. Every fresh buffer of
 * a 300 dpi page (8.7 MB for its grey, 2.9 MB for the small RGB copy) adds to the memory V8 counts
 * outside its heap, and that count is what sets off most of a page worker's full garbage
 * collections (about 10 ms CPU each, nearly one a page); pages of one batch are mostly the same
 * size, so the same buffers serve them all.
 */

/** A few pages' worth of distinct sizes; more would only keep memory for sizes that came once. */
const MAX_SPARES = 6;
/** Below this a fresh buffer costs next to nothing (and may be a slice of Node's shared pool). */
const MIN_SPARE_BYTES = 64 * 1024;
const spares: Buffer[] = [];

/** A buffer of exactly `size` bytes with undefined contents (as Buffer.allocUnsafe), word-aligned. */
export function takeBuffer(size: number): Buffer {
  const i = spares.findIndex((buffer) => buffer.length === size);
  if (i >= 0) return spares.splice(i, 1)[0];
  const buffer = Buffer.allocUnsafe(size);
  // Small buffers may be slices of Node's shared pool; the word-wise loops need aligned ones.
  return buffer.byteOffset % 4 === 0 ? buffer : Buffer.alloc(size);
}

/** Hands buffers back once nothing refers to them any more (the caller's promise). */
export function giveBack(...buffers: Array<Buffer | undefined>): void {
  for (const buffer of buffers) {
    if (!buffer || buffer.length < MIN_SPARE_BYTES || spares.includes(buffer)) continue;
    if (spares.length >= MAX_SPARES) spares.shift();
    spares.push(buffer);
  }
}
