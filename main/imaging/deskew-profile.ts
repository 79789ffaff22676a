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

