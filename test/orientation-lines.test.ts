import { describe, expect, it } from 'vitest';
import { stripProfiles } from '../main/imaging/orientation-lines.js';

/** The profiles by their definition: ink of row y within strip s, of column x within band b. */
function naiveProfiles(mask: Uint8Array, width: number, height: number, strip: number) {
  const stripsX = Math.ceil(width / strip);
  const stripsY = Math.ceil(height / strip);
  const rows = new Int32Array(stripsX * height);
  const cols = new Int32Array(stripsY * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      rows[Math.floor(x / strip) * height + y]++;
      cols[Math.floor(y / strip) * width + x]++;
    }
  }
  return { rows, cols, stripsX, stripsY };
}

describe('stripProfiles', () => {
  it('counts every ink pixel of a sparse mask, whether or not its bytes are word-aligned', () => {
    let seed = 9;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (const [width, height, strip] of [[83, 61, 10], [64, 40, 8], [17, 33, 16]]) {
      const backing = new Uint8Array(width * height + 3);
      for (let i = 0; i < backing.length; i++) backing[i] = random() < 0.07 ? 1 : 0;
      for (const offset of [0, 1, 3]) {
        const mask = backing.subarray(offset, offset + width * height);
        const expected = naiveProfiles(mask, width, height, strip);
        const found = stripProfiles(mask, width, height, strip);
        expect(found.stripsX).toBe(expected.stripsX);
        expect(found.stripsY).toBe(expected.stripsY);
        expect(Array.from(found.rows)).toEqual(Array.from(expected.rows));
        expect(Array.from(found.cols)).toEqual(Array.from(expected.cols));
      }
    }
  });
});
