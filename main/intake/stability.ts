/**
 * When is a file in a hot folder complete? Scanners and copy tools give no "done" signal, so the
 * station waits until size and modification time stop changing for a while, and until the writer
 * has let go of the file (on Windows a scanner holds it with an exclusive lock while writing).
 */
import { open } from 'node:fs/promises';

/** What was last seen of a file, and since when it has looked like that. */
export interface Observation {
  size: number;
  mtimeMs: number;
  /** Monotonic clock (ms) at which this size and mtime were first seen. */
  since: number;
}

export type Verdict = 'changed' | 'settling' | 'settled';

/**
 * An empty file usually means the writer has created it and not yet written (SMB clients create
 * first and write after), so an empty file must stay empty this many windows before it counts.
 * It is then delivered all the same: the ingest quarantines it as empty, which staff can see.
 */
export const EMPTY_FILE_WINDOW_FACTOR = 3;

/** Compares a fresh stat with the last observation; `now` is a monotonic clock in ms. */
export function judge(
  previous: Observation | undefined,
  current: { size: number; mtimeMs: number },
  now: number,
  stableWindowMs: number,
): { observation: Observation; verdict: Verdict } {
  if (!previous || previous.size !== current.size || previous.mtimeMs !== current.mtimeMs) {
    return { observation: { size: current.size, mtimeMs: current.mtimeMs, since: now }, verdict: 'changed' };
  }
  const window = current.size === 0 ? stableWindowMs * EMPTY_FILE_WINDOW_FACTOR : stableWindowMs;
  return { observation: previous, verdict: now - previous.since >= window ? 'settled' : 'settling' };
}

/**
 * Errors that mean "someone else still has the file": Windows reports a sharing violation as
 * EBUSY and a denied open of a file being written as EPERM or EACCES. Such a file is not complete.
 */
export function isLockError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EBUSY' || code === 'EPERM' || code === 'EACCES';
}

/** Opens and closes the file for reading: succeeds only when the writer has released it. */
export async function openForReading(path: string): Promise<void> {
  const handle = await open(path, 'r');
  await handle.close();
}
