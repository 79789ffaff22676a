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

/** Scores trial angles for one point set; the bins are allocated once for a whole sweep. */
export class ProfileScorer {
  private readonly bins: Float64Array;
  private readonly offset: number;

  constructor(private readonly points: PointSet) {
    this.offset = Math.ceil(points.radius) + 2;
    this.bins = new Float64Array(2 * this.offset + 4);
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
    let sum = 0;
    let previous = 0;
    for (let k = 0; k < bins.length; k++) {
      const v = bins[k];
      const d = v - previous;
      sum += d * d;
      previous = v;
    }
    return sum;
  }
}

/**
 * A scorer that lives as long as the thread, never used. Scorers are made per page and die with
 * it; when the last one had died, its hidden class (and that of its point set) died too, and the
 * next full garbage collection threw away score()'s optimized code, which checks its receiver
 * against that class (deopt reason "weak objects"): the hot loop was compiled again page after
 * page in the bundled page worker. One live instance keeps the class. Its fields hold the same
 * kinds of values as a real scorer's (a fractional radius, a whole count and offset), so it shares
 * the real scorers' class rather than one of its own.
 */
export const keptScorer = new ProfileScorer({ xs: new Float64Array(0), ys: new Float64Array(0), weights: new Float64Array(0), count: 0, radius: 0.5 });
