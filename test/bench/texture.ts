/**
 * Scanner paper for the bench's pages: what a 300 dpi office scan of printed paper looks like,
 * laid under a drawing whose paper is pure white (test/fixtures/pages.ts).
 *
 * What real scans show, and the numbers chosen (realistic, not adversarial):
 *   - Paper level: office copy paper (80 g/m², ISO brightness ~90–95 %) comes out at about 235–250
 *     in an 8-bit grey scan with the scanner's default calibration, not 255. Here 237–245 per page.
 *   - Grain: the paper's formation (fibre flocs, about a millimetre across) mottles it by a level or
 *     two, and the sensor adds per-pixel noise of σ ≈ 1.5–2.5 levels. Here flocs σ 1.3 on a 0.7 mm
 *     grid (smoothly interpolated) and sensor noise σ 1.8, over paper and ink alike.
 *   - Illumination: after the scanner's white calibration the lamp still leaves a few levels of
 *     unevenness, a slope along the feed and a fall-off towards the glass's edges. Here a slope of
 *     up to 4 levels over the page and 2 levels of fall-off at the side edges.
 *   - Show-through: on printed paper of this weight the reverse side shows at a few per cent of its
 *     contrast, blurred by the paper. Here on every third page: the page's own drawing mirrored
 *     (as the back of a duplex letter of the same layout would show, turned with the sheet),
 *     blurred by σ 1.5 px, at 4.5 % of its contrast (about 10 levels under solid black).
 *   - JPEG: the bench encodes the textured pixels at its usual quality 85, which adds block noise.
 * The drawing's own tones are scaled by the paper (ink is reflectance times paper brightness), so
 * black print stays near 16 and anti-aliased edges keep their shape.
 */
import sharp from 'sharp';
import { rng } from '../fixtures/pages.js';

export interface PaperOptions {
  /** The drawing's seed: the same page gets the same paper every time. */
  seed: number;
  /** The drawing's turn (counter-clockwise degrees), so the show-through turns with the sheet. */
  angle: number;
}

const PAPER_LEVEL_LOW = 237;
const PAPER_LEVEL_SPAN = 8;
/** Floc grid spacing in pixels at 300 dpi (0.68 mm) and the flocs' spread in levels. */
const FLOC_CELL = 8;
const FLOC_SIGMA = 1.3;
const SENSOR_SIGMA = 1.8;
const SLOPE_LEVELS = 4;
const EDGE_FALLOFF_LEVELS = 2;
const SHOW_THROUGH_SHARE = 0.045;
const SHOW_THROUGH_BLUR = 1.5;
/** Pages whose base index is a multiple of this show their reverse side. */
const SHOW_THROUGH_EVERY = 3;

/** Whether the page with this seed shows a mirrored reverse side. */
export function showsThrough(seed: number): boolean {
  return (seed - 1) % SHOW_THROUGH_EVERY === 0;
}

/** The drawing `raw` (grey, 255 = paper) as scanned on real paper: a new buffer, same size. */
export async function scannerPaper(raw: { data: Buffer; width: number; height: number }, options: PaperOptions): Promise<Buffer> {
  const { data, width, height } = raw;
  const random = rng(options.seed * 9973 + 17);
  const paperLevel = PAPER_LEVEL_LOW + random() * PAPER_LEVEL_SPAN;
  // The slope runs along the feed (top to bottom) either way.
  const slope = (random() < 0.5 ? -1 : 1) * SLOPE_LEVELS * (0.5 + 0.5 * random());
  const flocs = flocField(width, height, random);
  const back = showsThrough(options.seed) ? await reverseSide(raw, options.angle) : undefined;

  const out = Buffer.allocUnsafe(width * height);
  let state = (options.seed * 2654435761) >>> 0 || 1;
  const noiseScale = SENSOR_SIGMA / 147.8; // the spread of a sum of four uniform bytes
  const flocCols = Math.ceil(width / FLOC_CELL) + 1;
  for (let y = 0; y < height; y++) {
    const light = paperLevel + slope * (y / height - 0.5);
    const fy = y / FLOC_CELL;
    const row0 = Math.floor(fy);
    const wy = fy - row0;
    for (let x = 0; x < width; x++) {
      const edge = (2 * x) / width - 1;
      const fx = x / FLOC_CELL;
      const col0 = Math.floor(fx);
      const wx = fx - col0;
      const f0 = row0 * flocCols + col0;
      const f1 = f0 + flocCols;
      const floc = (flocs[f0] * (1 - wx) + flocs[f0 + 1] * wx) * (1 - wy) + (flocs[f1] * (1 - wx) + flocs[f1 + 1] * wx) * wy;
      let paper = light - EDGE_FALLOFF_LEVELS * edge * edge + floc;
      const i = y * width + x;
      if (back) paper *= 1 - SHOW_THROUGH_SHARE * (1 - back[i] / 255);
      // xorshift32; the sum of its four bytes is near-Gaussian noise.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const bytes = (state & 255) + ((state >>> 8) & 255) + ((state >>> 16) & 255) + ((state >>> 24) & 255);
      const value = (data[i] / 255) * paper + (bytes - 510) * noiseScale;
      out[i] = value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
    }
  }
  return out;
}

/** Gaussian flocs on a FLOC_CELL grid (one extra row and column for the interpolation). */
function flocField(width: number, height: number, random: () => number): Float32Array {
  const cols = Math.ceil(width / FLOC_CELL) + 1;
  const rows = Math.ceil(height / FLOC_CELL) + 1;
  const field = new Float32Array(cols * rows);
  for (let i = 0; i < field.length; i++) {
    // Box–Muller.
    const u = Math.max(1e-12, random());
    field[i] = FLOC_SIGMA * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }
  return field;
}

/**
 * The reverse side as seen through the sheet: the drawing mirrored left to right and blurred. The
 * drawing is turned by `angle`; its mirror image is turned by −angle, so it is turned back by
 * 2·angle to lie as the back of the same sheet would.
 */
async function reverseSide(raw: { data: Buffer; width: number; height: number }, angle: number): Promise<Uint8Array> {
  const { width, height } = raw;
  // Mirrored here rather than by sharp: one step per pipeline, no question of sharp's operation order.
  let mirrored = Buffer.allocUnsafe(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) mirrored[row + x] = raw.data[row + width - 1 - x];
  }
  if (angle !== 0) {
    // sharp turns clockwise for a positive angle; the mirror needs its content turned by 2·angle counter-clockwise.
    const turned = await sharp(mirrored, { raw: { width, height, channels: 1 } }).rotate(-2 * angle, { background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
    const cropped = await sharp(turned.data, { raw: { width: turned.info.width, height: turned.info.height, channels: turned.info.channels } })
      .extract({ left: Math.floor((turned.info.width - width) / 2), top: Math.floor((turned.info.height - height) / 2), width, height })
      .extractChannel(0)
      .raw()
      .toBuffer();
    mirrored = cropped;
  }
  const blurred = await sharp(mirrored, { raw: { width, height, channels: 1 } }).blur(SHOW_THROUGH_BLUR).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  if (blurred.info.width !== width || blurred.info.height !== height || blurred.info.channels !== 1) {
    throw new Error(`reverse side came out ${blurred.info.width}×${blurred.info.height}×${blurred.info.channels}, not ${width}×${height}×1`);
  }
  return blurred.data;
}
