/** Shared steps of the ink finders (deskew, orientation): Otsu on a contrast histogram, the paper level of a block. */

/** Otsu's threshold on a 256-bin histogram: the last level of the lower class. */
export function otsuThreshold(histogram: Uint32Array): number {
  let total = 0;
  let sum = 0;
  for (let i = 0; i < 256; i++) {
    total += histogram[i];
    sum += i * histogram[i];
  }
  let weightBelow = 0;
  let sumBelow = 0;
  let best = 0;
  let bestVariance = -1;
  for (let t = 0; t < 256; t++) {
    weightBelow += histogram[t];
    sumBelow += t * histogram[t];
    const weightAbove = total - weightBelow;
    if (weightBelow === 0) continue;
    if (weightAbove === 0) break;
    const difference = sumBelow / weightBelow - (sum - sumBelow) / weightAbove;
    const variance = weightBelow * weightAbove * difference * difference;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = t;
    }
  }
  return best;
}

/** Each block takes the brightest of its 3×3 neighbourhood, so a block a bold glyph fills still sees paper. */
export function spreadMax(values: Uint8Array, cols: number, rows: number): Uint8Array {
  const result = new Uint8Array(values.length);
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      let m = 0;
      for (let yy = Math.max(0, by - 1); yy <= Math.min(rows - 1, by + 1); yy++) {
        for (let xx = Math.max(0, bx - 1); xx <= Math.min(cols - 1, bx + 1); xx++) {
          const v = values[yy * cols + xx];
          if (v > m) m = v;
        }
      }
      result[by * cols + bx] = m;
    }
  }
  return result;
}
