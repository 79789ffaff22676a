/**
 * The page worker pool with real worker threads: one worker at first, more only while work waits
 * or when warmed for work to come, never more than its size; a worker that stops is replaced; a
 * worker the launcher started early is taken over.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool } from '../main/workers/pool.js';
import { prestartWorker } from '../main/workers/prestart.mjs';

type Task = { waitMs?: number; exit?: number };
type Result = { threadId: number };
const entry = new URL('./support/pool-test-worker.mjs', import.meta.url);
const boot = new URL('../main/workers/boot.mjs', import.meta.url);

describe('worker pool', () => {
  let pool: WorkerPool<Task, Result> | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('starts one worker, adds workers while tasks wait, up to its size', async () => {
    pool = new WorkerPool<Task, Result>(entry, 3);
    expect(pool.size).toBe(3);
    expect(pool.started).toBe(1);

    // One task at a time never needs a second worker.
    const alone = await pool.run({});
    expect((await pool.run({})).threadId).toBe(alone.threadId);
    expect(pool.started).toBe(1);

    const results = await Promise.all(Array.from({ length: 5 }, () => pool!.run({ waitMs: 300 })));
    expect(pool.started).toBe(3);
    expect(new Set(results.map((r) => r.threadId)).size).toBe(3);
  }, 60_000);

  it('replaces a worker that stops, with the rest of the work unaffected', async () => {
    pool = new WorkerPool<Task, Result>(entry, 2);
    const crashed = pool.run({ exit: 3 });
    const other = pool.run({ waitMs: 100 });
    await expect(crashed).rejects.toThrow(/exit code 3/);
    await expect(other).resolves.toEqual({ threadId: expect.any(Number) });
    await expect(pool.run({})).resolves.toEqual({ threadId: expect.any(Number) });
    expect(pool.started).toBe(2);
  }, 60_000);

  it('starts workers for work announced ahead, up to its size, and uses them all', async () => {
    pool = new WorkerPool<Task, Result>(entry, 2);
    pool.warm(5);
    expect(pool.started).toBe(2);
    const results = await Promise.all(Array.from({ length: 4 }, () => pool!.run({ waitMs: 300 })));
    expect(new Set(results.map((r) => r.threadId)).size).toBe(2);
    expect(pool.started).toBe(2);
  }, 60_000);

  it('takes over a worker started before it, and starts its own when that one has died', async () => {
    const early = prestartWorker(boot, entry.href);
    pool = new WorkerPool<Task, Result>(entry, 1);
    expect(pool.started).toBe(1);
    expect((await pool.run({})).threadId).toBe(early.threadId);
    await pool.close();

    const dead = prestartWorker(boot, entry.href);
    await dead.terminate();
    pool = new WorkerPool<Task, Result>(entry, 1);
    expect((await pool.run({})).threadId).not.toBe(dead.threadId);
  }, 60_000);
});
