import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchHotFolder, type HotFolderWatcher, type StableFile, type WatcherOptions } from '../main/intake/watcher.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

interface Delivery extends StableFile {
  at: number;
  sha: string;
  length: number;
}

/** A watcher on a fresh temp folder that records what it delivers, reading each file like the ingest does. */
function harness(overrides: Partial<WatcherOptions> & { deleteAfter?: boolean } = {}) {
  const deliveries: Delivery[] = [];
  const ignored: Array<[string, string]> = [];
  const errors: Array<[Error, string | undefined]> = [];
  let active = 0;
  let maxActive = 0;
  const { deleteAfter, ...rest } = overrides;
  const make = (dir: string): HotFolderWatcher =>
    watchHotFolder({
      dir,
      stableWindowMs: 300,
      pollIntervalMs: 50,
      usePolling: false,
      reconcileIntervalMs: 60_000, // long: events must do the work unless a test says otherwise
      onStable: async (file) => {
        active++;
        maxActive = Math.max(maxActive, active);
        try {
          const bytes = await readFile(file.path);
          deliveries.push({ ...file, at: performance.now(), sha: sha(bytes), length: bytes.length });
          if (deleteAfter) await unlink(file.path);
        } finally {
          active--;
        }
      },
      onIgnored: (path, reason) => ignored.push([path, reason]),
      onError: (error, path) => errors.push([error, path]),
      ...rest,
    });
  return {
    deliveries,
    ignored,
    errors,
    make,
    get maxActive() {
      return maxActive;
    },
    countFor: (path: string) => deliveries.filter((d) => d.path === path).length,
  };
}

let dir: string;
let watcher: HotFolderWatcher | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hotfolder-'));
});

afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('watchHotFolder', () => {
  it('delivers a file written in chunks over 3 s once, after the last chunk, with all its bytes', async () => {
    const h = harness({ stableWindowMs: 1000, pollIntervalMs: 100 });
    watcher = h.make(dir);
    await watcher.start();

    const path = join(dir, 'scan0001.pdf');
    const chunks = Array.from({ length: 12 }, () => randomBytes(64 * 1024));
    let lastWrite = 0;
    for (const chunk of chunks) {
      await appendFile(path, chunk);
      lastWrite = performance.now();
      expect(h.deliveries).toHaveLength(0);
      await sleep(250);
    }
    await waitFor(() => h.deliveries.length > 0, 5000, 'the chunked file');
    await sleep(500); // a second delivery would show up here
    expect(h.deliveries).toHaveLength(1);
    const [delivery] = h.deliveries;
    expect(delivery.path).toBe(path);
    expect(delivery.length).toBe(12 * 64 * 1024);
    expect(delivery.size).toBe(12 * 64 * 1024);
    expect(delivery.sha).toBe(sha(Buffer.concat(chunks)));
    const latency = delivery.at - lastWrite;
    expect(latency).toBeGreaterThanOrEqual(1000);
    console.log(`chunked file: delivered ${Math.round(latency)} ms after its last write (window 1000 ms, poll 100 ms)`);
    expect(h.errors).toEqual([]);
  });

  it('delivers 1,000 files dropped at once exactly once each, at most 4 onStable calls at a time', async () => {
    const h = harness();
    watcher = h.make(dir);
    await watcher.start();

    const expected = new Map<string, string>();
    const files = Array.from({ length: 1000 }, (_, i) => {
      const data = randomBytes(512 + (i % 7) * 1024);
      const path = join(dir, `scan${String(i).padStart(4, '0')}.jpg`);
      expected.set(path, sha(data));
      return { path, data };
    });
    const t0 = performance.now();
    await Promise.all(files.map((f) => writeFile(f.path, f.data)));
    const written = performance.now();
    await waitFor(() => h.deliveries.length >= 1000, 20_000, '1,000 deliveries');
    const done = performance.now();
    // Files stay (keep mode): a full listing must not hand them out again.
    await watcher.reconcileNow();
    await sleep(400);

    expect(h.deliveries).toHaveLength(1000);
    const byPath = new Map(h.deliveries.map((d) => [d.path, d]));
    expect(byPath.size).toBe(1000);
    for (const [path, digest] of expected) expect(byPath.get(path)?.sha, path).toBe(digest);
    expect(h.maxActive).toBeLessThanOrEqual(4);
    expect(h.maxActive).toBeGreaterThan(1);
    expect(watcher.pending).toBe(0);
    expect(h.errors).toEqual([]);
    console.log(
      `1,000 files: written in ${Math.round(written - t0)} ms, all delivered ${Math.round(done - written)} ms after the last write (window 300 ms)`,
    );
  });

  it('delivers files that were there before start, and only top-level ones unless recursive', async () => {
    await writeFile(join(dir, 'before1.pdf'), 'one');
    await writeFile(join(dir, 'before2.tif'), 'two');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'nested.pdf'), 'nested');
    const h = harness();
    watcher = h.make(dir);
    await watcher.start();
    await waitFor(() => h.deliveries.length >= 2, 5000, 'the existing files');
    await sleep(400);
    expect(h.deliveries.map((d) => d.path).sort()).toEqual([join(dir, 'before1.pdf'), join(dir, 'before2.tif')]);
  });

  it('takes subfolders when recursive, but not hidden ones', async () => {
    await mkdir(join(dir, 'sub'));
    await mkdir(join(dir, '.hidden'));
    await writeFile(join(dir, 'sub', 'nested.pdf'), 'nested');
    await writeFile(join(dir, '.hidden', 'secret.pdf'), 'secret');
    const h = harness({ recursive: true });
    watcher = h.make(dir);
    await watcher.start();
    await mkdir(join(dir, 'sub', 'deeper'));
    await writeFile(join(dir, 'sub', 'deeper', 'late.pdf'), 'late');
    await writeFile(join(dir, '.hidden', 'late.pdf'), 'late');
    await waitFor(() => h.deliveries.length >= 2, 5000, 'the nested files');
    await sleep(400);
    expect(h.deliveries.map((d) => d.path).sort()).toEqual([join(dir, 'sub', 'deeper', 'late.pdf'), join(dir, 'sub', 'nested.pdf')]);
  });

  it('skips temporary, hidden and system names (reported once each) and the station\'s own paths', async () => {
    const own = join(dir, 'station-data');
    const h = harness({ ignore: (p) => p === own || p.startsWith(own + '/') });
    await writeFile(join(dir, 'Thumbs.db'), 'x');
    watcher = h.make(dir);
    await watcher.start();
    for (const name of ['.DS_Store', 'desktop.ini', 'scan0002.pdf.part', '~$brief.docx', 'scan0003.tmp']) {
      await writeFile(join(dir, name), 'temporary');
    }
    await writeFile(own, 'the station writes here');
    await writeFile(join(dir, 'real.pdf'), 'real');
    await waitFor(() => h.deliveries.length >= 1, 5000, 'the real file');
    await watcher.reconcileNow();
    await watcher.reconcileNow();
    await sleep(400);

    expect(h.deliveries.map((d) => d.path)).toEqual([join(dir, 'real.pdf')]);
    const reported = h.ignored.map(([p]) => p).sort();
    expect(reported).toEqual(
      ['.DS_Store', 'Thumbs.db', 'desktop.ini', 'scan0002.pdf.part', 'scan0003.tmp', '~$brief.docx'].map((n) => join(dir, n)).sort(),
    );
    expect(Object.fromEntries(h.ignored.map(([p, r]) => [p.slice(dir.length + 1), r]))).toMatchObject({
      'scan0002.pdf.part': 'temporary file (*.part)',
      'Thumbs.db': expect.stringMatching(/thumbnail/),
    });

    // The usual scanner pattern: write under a temporary name, then rename to the final one.
    await rename(join(dir, 'scan0002.pdf.part'), join(dir, 'scan0002.pdf'));
    await waitFor(() => h.deliveries.length >= 2, 5000, 'the renamed file');
    expect(h.deliveries[1].path).toBe(join(dir, 'scan0002.pdf'));
    expect(h.errors).toEqual([]);
  });

  it('finds a file whose events were lost through the reconcile', async () => {
    const h = harness({ disableEvents: true });
    watcher = h.make(dir);
    await watcher.start();
    await writeFile(join(dir, 'lost-event.pdf'), 'found late');
    await sleep(1000);
    // Proof that nothing but the reconcile can find it in this set-up.
    expect(h.deliveries).toHaveLength(0);
    expect(watcher.pending).toBe(0);
    await watcher.reconcileNow();
    expect(watcher.pending).toBe(1);
    await waitFor(() => h.deliveries.length >= 1, 5000, 'the reconciled file');
    expect(h.deliveries[0].path).toBe(join(dir, 'lost-event.pdf'));
  });

  it('runs the reconcile periodically by itself', async () => {
    const h = harness({ disableEvents: true, reconcileIntervalMs: 300 });
    watcher = h.make(dir);
    await watcher.start();
    await writeFile(join(dir, 'periodic.pdf'), 'x');
    await waitFor(() => h.deliveries.length >= 1, 5000, 'a periodic reconcile');
  });

  it('works in polling mode', async () => {
    await writeFile(join(dir, 'existing.pdf'), 'there before');
    const h = harness({ usePolling: true, pollIntervalMs: 100 });
    watcher = h.make(dir);
    await watcher.start();
    await writeFile(join(dir, 'polled.pdf'), 'new');
    await waitFor(() => h.deliveries.length >= 2, 5000, 'both files in polling mode');
    expect(h.deliveries.map((d) => d.path).sort()).toEqual([join(dir, 'existing.pdf'), join(dir, 'polled.pdf')]);
  });

  it('offers a file again at the next reconcile when onStable throws', async () => {
    let calls = 0;
    const accepted: string[] = [];
    const errors: Array<[string, string | undefined]> = [];
    watcher = watchHotFolder({
      dir,
      stableWindowMs: 200,
      pollIntervalMs: 50,
      usePolling: false,
      reconcileIntervalMs: 60_000,
      onStable: async (file) => {
        calls++;
        if (calls === 1) throw new Error('database is locked');
        accepted.push(file.path);
      },
      onError: (error, path) => errors.push([error.message, path]),
    });
    await watcher.start();
    const path = join(dir, 'retry.pdf');
    await writeFile(path, 'x');
    await waitFor(() => errors.length >= 1, 5000, 'the failure');
    expect(errors[0]).toEqual(['database is locked', path]);
    await sleep(600);
    expect(calls).toBe(1); // no retry loop before the reconcile
    await watcher.reconcileNow();
    await waitFor(() => accepted.length >= 1, 5000, 'the retry');
    await watcher.reconcileNow();
    await sleep(400);
    expect(calls).toBe(2);
    expect(accepted).toEqual([path]);
  });

  it('delivers a new file of the same name again after the first was taken away', async () => {
    const h = harness({ deleteAfter: true });
    watcher = h.make(dir);
    await watcher.start();
    const path = join(dir, 'scan.pdf');
    await writeFile(path, 'first scan');
    await waitFor(() => h.deliveries.length >= 1, 5000, 'the first scan');
    await waitFor(() => watcher!.pending === 0, 5000, 'the watcher to settle');
    await writeFile(path, 'second scan, longer');
    await waitFor(() => h.deliveries.length >= 2, 5000, 'the second scan');
    await sleep(400);
    expect(h.deliveries.map((d) => d.sha)).toEqual([sha(Buffer.from('first scan')), sha(Buffer.from('second scan, longer'))]);
  });

  it('waits longer for an empty file, delivers it if it stays empty, and takes the content if it comes', async () => {
    const h = harness({ stableWindowMs: 300 });
    watcher = h.make(dir);
    await watcher.start();
    const empty = join(dir, 'empty.pdf');
    const late = join(dir, 'late.pdf');
    const t0 = performance.now();
    await writeFile(empty, '');
    await writeFile(late, '');
    await sleep(500); // past the normal window, inside the empty-file window
    expect(h.deliveries).toHaveLength(0);
    await writeFile(late, 'content arrived');
    await waitFor(() => h.deliveries.length >= 2, 5000, 'both files');
    await sleep(300);
    const byPath = new Map(h.deliveries.map((d) => [d.path, d]));
    expect(h.deliveries).toHaveLength(2);
    expect(byPath.get(empty)?.size).toBe(0);
    expect(byPath.get(empty)!.at - t0).toBeGreaterThanOrEqual(900);
    expect(byPath.get(late)?.length).toBe('content arrived'.length);
  });

  it('waits while the writer holds the file locked', async () => {
    let locked = true;
    const probed: string[] = [];
    const h = harness({
      probeReadable: async (path) => {
        probed.push(path);
        if (locked) throw Object.assign(new Error('EBUSY: resource busy or locked'), { code: 'EBUSY' });
      },
    });
    watcher = h.make(dir);
    await watcher.start();
    await writeFile(join(dir, 'locked.pdf'), 'x');
    await waitFor(() => probed.length >= 3, 5000, 'a few lock probes');
    expect(h.deliveries).toHaveLength(0);
    expect(watcher.pending).toBe(1);
    locked = false;
    await waitFor(() => h.deliveries.length >= 1, 5000, 'delivery after unlock');
    expect(h.errors).toEqual([]);
  });

  it('stop() waits for running onStable calls, and nothing runs afterwards', async () => {
    let started = 0;
    let finished = 0;
    const w = watchHotFolder({
      dir,
      stableWindowMs: 100,
      pollIntervalMs: 50,
      usePolling: false,
      reconcileIntervalMs: 200,
      onStable: async () => {
        started++;
        await sleep(500);
        finished++;
      },
    });
    await w.start();
    await writeFile(join(dir, 'slow.pdf'), 'x');
    await waitFor(() => started === 1, 5000, 'onStable to start');
    await w.stop();
    expect(finished).toBe(1);
    await writeFile(join(dir, 'after-stop.pdf'), 'x');
    await sleep(500);
    expect(started).toBe(1);
  });

  it.each([['events', []], ['polling', ['--polling']]])(
    'stop() leaves no timer or file watcher that keeps the process alive (%s)',
    async (_mode, args) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/watcher-stop-child.ts', import.meta.url)), ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const exitCode = await new Promise<number | null>((resolveExit) => {
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.on('exit', (code) => {
          clearTimeout(killer);
          resolveExit(code);
        });
      });
      const exitedAt = Date.now();
      expect(stderr).toBe('');
      expect(exitCode).toBe(0);
      const [, stoppedAtText, childDir] = /stopped (\d+) (.+)\n/.exec(stdout) ?? [];
      if (childDir) await rm(childDir, { recursive: true, force: true });
      const stoppedAt = Number(stoppedAtText);
      // The reconcile timer alone would hold the process for 60 s.
      expect(exitedAt - stoppedAt).toBeLessThan(3000);
    },
  );

  it('rejects bad options and a missing folder with clear errors', async () => {
    const base = { dir, usePolling: false as const, reconcileIntervalMs: 1000, onStable: async () => {} };
    expect(() => watchHotFolder({ ...base, stableWindowMs: -1 })).toThrow(/stableWindowMs must be a non-negative number of ms, got -1/);
    expect(() => watchHotFolder({ ...base, stableWindowMs: 100, reconcileIntervalMs: 0 })).toThrow(/reconcileIntervalMs/);
    expect(() => watchHotFolder({ ...base, stableWindowMs: 100, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => watchHotFolder({ ...base, stableWindowMs: 100, dir: '' })).toThrow(/dir must be a non-empty path/);
    const missing = watchHotFolder({ ...base, stableWindowMs: 100, dir: join(dir, 'nope') });
    await expect(missing.start()).rejects.toThrow(/Hot folder .*nope does not exist/);
    await missing.stop();
    await writeFile(join(dir, 'file'), 'x');
    const notFolder = watchHotFolder({ ...base, stableWindowMs: 100, dir: join(dir, 'file') });
    await expect(notFolder.start()).rejects.toThrow(/is not a folder/);
    await notFolder.stop();
  });
});
