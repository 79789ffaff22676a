import { PerformanceObserver } from 'node:perf_hooks';

/**
 * What an A/B bench child measures of itself: its CPU time so far (ms, all threads) and the major
 * (mark-compact) garbage collections since the meter started. The bench children run sharp as the
 * page workers do: one libvips thread, no operation cache.
 */
export function startChildMeter(sharp: { concurrency(n: number): unknown; cache(options: boolean): unknown }): { cpuMs: () => number; majorGcs: () => number } {
  sharp.concurrency(1);
  sharp.cache(false);
  let majorGcs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as { detail?: { kind?: number } }).detail?.kind === 4) majorGcs++;
  }).observe({ entryTypes: ['gc'] });
  return {
    cpuMs: () => {
      const used = process.cpuUsage();
      return (used.user + used.system) / 1000;
    },
    majorGcs: () => majorGcs,
  };
}
