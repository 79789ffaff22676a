/** The page analysis (main/imaging/analyse.ts) by its definitions, for tests to hold the fast paths to. */

/** The definitions, pixel by pixel, with a sort for the paper's percentile and a plain ink count. */
export function analysisReference(data: Uint8Array, width: number, height: number, channels: number) {
  const grey = new Uint8Array(width * height);
  let coloured = 0;
  let tinted = 0;
  let maxChroma = 0;
  for (let i = 0; i < grey.length; i++) {
    const p = i * channels;
    if (channels < 3) {
      grey[i] = data[p];
      continue;
    }
    const [r, g, b] = [data[p], data[p + 1], data[p + 2]];
    grey[i] = (r * 77 + g * 150 + b * 29) >> 8;
    const chroma = Math.max(r, g, b) - Math.min(r, g, b);
    maxChroma = Math.max(maxChroma, chroma);
    if (chroma > 12) tinted++;
    if (chroma > 48) coloured++;
  }
  const sorted = [...grey].sort((a, b) => a - b);
  const paper = Math.max(64, sorted[Math.ceil(grey.length * 0.9) - 1]);
  const threshold = paper * 0.72;
  const [x0, x1] = [Math.floor(width * 0.06), Math.ceil(width * 0.94)];
  const [y0, y1] = [Math.floor(height * 0.06), Math.ceil(height * 0.94)];
  let ink = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * width + x;
      if (grey[i] < threshold && (grey[i + 1] < threshold || grey[i + width] < threshold)) ink++;
    }
  }
  const inkShareWant = ink / Math.max(1, (x1 - x0) * (y1 - y0));
  return { grey, colourShare: coloured / grey.length, tintedShare: tinted / grey.length, maxChroma, paperLevel: paper, inkShare: inkShareWant };
}
