/**
 * Projection profiles of a sparse set of ink points: for a trial angle every point is projected
 * onto the axis across the text lines and splatted into 1-pixel bins (split linearly between the
 * two nearest bins, so the score changes smoothly with the angle and a fine search can home in
 * below a pixel). Text lines that lie along the trial angle make tall, narrow peaks.
 */

export interface PointSet {
  /** Coordinates relative to the image centre, in pixels. */
  xs: Float64Array;
  ys: Float64Array;
  /** Weight of each point (0..1). */
  weights: Float64Array;
  count: number;
  /** No projection leaves [-radius, radius]. */
  radius: number;
}

/**
 * The newest scorer made on this thread, kept alive until the next one replaces it. Scorers are
 * made per page; once the last of them had died, its hidden class (and its point set's) could die
 * too, and the next full garbage collection threw away score()'s optimized code, which checks its
 * receiver against those classes (deopt reason "weak objects"): the hot loop was compiled again
 * page after page in the bundled page worker. With the newest scorer always alive, a live object
 * keeps each class. (One idle scorer made at load did not: its classes were not the ones checked.)
 */
const newest: { scorer?: ProfileScorer } = {};

/** Scores trial angles for one point set; the bins are allocated once for a whole sweep. */
export class ProfileScorer {
  private readonly bins: Float64Array;
  private readonly offset: number;

  constructor(private readonly points: PointSet) {
    this.offset = Math.ceil(points.radius) + 2;
    this.bins = new Float64Array(2 * this.offset + 4);
    newest.scorer = this;
  }

  /**
   * Score of the profile at `angle` (radians, positive = content turned counter-clockwise on
   * screen): the sum of squared differences between neighbouring bins. Differences rather than
   * plain counts reward the sharp upper and lower edges of text lines and rules, and a large
   * even blob (a photo, a logo) adds little however it is turned.
   */
  score(angle: number): number {
    const { xs, ys, weights, count } = this.points;
    const bins = this.bins;
    bins.fill(0);
    const sin = Math.sin(angle);
    const cos = Math.cos(angle);
    const offset = this.offset;
    for (let i = 0; i < count; i++) {
      const p = ys[i] * cos + xs[i] * sin + offset;
      const k = p | 0;
      const w = weights[i];
      const f = (p - k) * w;
      bins[k] += w - f;
      bins[k + 1] += f;
    }
    return sumOfSquaredSteps(bins, 0, bins.length);
  }

  /**
   * `scores[j] = score(angles[j])` for every angle, to the bit: four angles at a time, each into
   * its own bins, in one pass over the points. Each bin still takes its points in the same order,
   * so every sum is rounded as in score(). One angle at a time, neighbouring points of a text row
   * mostly land in the same bin, and each addition waited for the previous one's store; four
   * angles' additions go on side by side.
   */
  scoreAll(angles: Float64Array, scores: Float64Array): void {
    const { xs, ys, weights, count } = this.points;
    const offset = this.offset;
    const length = this.bins.length;
    const bins = groupBins(4 * length);
    let j = 0;
    for (; j + 4 <= angles.length; j += 4) {
      bins.fill(0, 0, 4 * length);
      const sin0 = Math.sin(angles[j]);
      const cos0 = Math.cos(angles[j]);
      const sin1 = Math.sin(angles[j + 1]);
      const cos1 = Math.cos(angles[j + 1]);
      const sin2 = Math.sin(angles[j + 2]);
      const cos2 = Math.cos(angles[j + 2]);
      const sin3 = Math.sin(angles[j + 3]);
      const cos3 = Math.cos(angles[j + 3]);
      const base1 = length;
      const base2 = 2 * length;
      const base3 = 3 * length;
      for (let i = 0; i < count; i++) {
        const x = xs[i];
        const y = ys[i];
        const w = weights[i];
        const p0 = y * cos0 + x * sin0 + offset;
        const k0 = p0 | 0;
        const f0 = (p0 - k0) * w;
        bins[k0] += w - f0;
        bins[k0 + 1] += f0;
        const p1 = y * cos1 + x * sin1 + offset;
        const k1 = (p1 | 0) + base1;
        const f1 = (p1 - (p1 | 0)) * w;
        bins[k1] += w - f1;
        bins[k1 + 1] += f1;
        const p2 = y * cos2 + x * sin2 + offset;
        const k2 = (p2 | 0) + base2;
        const f2 = (p2 - (p2 | 0)) * w;
        bins[k2] += w - f2;
        bins[k2 + 1] += f2;
        const p3 = y * cos3 + x * sin3 + offset;
        const k3 = (p3 | 0) + base3;
        const f3 = (p3 - (p3 | 0)) * w;
        bins[k3] += w - f3;
        bins[k3 + 1] += f3;
      }
      scores[j] = sumOfSquaredSteps(bins, 0, length);
      scores[j + 1] = sumOfSquaredSteps(bins, base1, length);
      scores[j + 2] = sumOfSquaredSteps(bins, base2, length);
      scores[j + 3] = sumOfSquaredSteps(bins, base3, length);
    }
    for (; j < angles.length; j++) scores[j] = this.score(angles[j]);
  }
}

/** Sum of squared differences between neighbouring bins of bins[from, from + length), starting from 0. */
function sumOfSquaredSteps(bins: Float64Array, from: number, length: number): number {
  let sum = 0;
  let previous = 0;
  const end = from + length;
  for (let k = from; k < end; k++) {
    const v = bins[k];
    const d = v - previous;
    sum += d * d;
    previous = v;
  }
  return sum;
}

/** The thread's bins for scoreAll's four angles, grown as needed. */
let spareGroupBins = new Float64Array(0);

function groupBins(size: number): Float64Array {
  if (spareGroupBins.length < size) spareGroupBins = new Float64Array(size);
  return spareGroupBins;
}

