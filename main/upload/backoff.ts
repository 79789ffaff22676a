/** How long to wait before the next counted attempt: exponential, capped, with jitter so stations that failed together do not retry together. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // "Equal jitter": at least half the step, so a retry never comes immediately.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
