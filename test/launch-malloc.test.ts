/**
 * The launcher's relaunch with glibc's malloc tuned for page buffers (main/launch/tuned-malloc.mjs):
 * when it happens, that the station runs with the settings, passes on signals and exit status, and
 * never outlives a launcher that is killed (so the data folder's lock is free for the next start).
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TUNED_MALLOC_ENV, wantsTunedMallocRelaunch } from '../main/launch/tuned-malloc.mjs';
import { projectRoot, waitFor } from './support/station-process.js';

describe('when the launcher relaunches', () => {
  it('relaunches on Linux only, once, and never over the user\'s own settings or an opt-out', () => {
    expect(wantsTunedMallocRelaunch({}, 'linux')).toBe(true);
    expect(wantsTunedMallocRelaunch({}, 'win32')).toBe(false);
    expect(wantsTunedMallocRelaunch({}, 'darwin')).toBe(false);
    expect(wantsTunedMallocRelaunch({ STATION_MALLOC_RELAUNCHED: '1' }, 'linux')).toBe(false);
    expect(wantsTunedMallocRelaunch({ STATION_MALLOC_TUNING: 'off' }, 'linux')).toBe(false);
    expect(wantsTunedMallocRelaunch({ STATION_MALLOC_TUNING: 'OFF' }, 'linux')).toBe(false);
    for (const name of Object.keys(TUNED_MALLOC_ENV)) expect(wantsTunedMallocRelaunch({ [name]: '4' }, 'linux')).toBe(false);
  });
});

const onLinux = process.platform === 'linux';

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Running and not a zombie (a killed process whose parent has not reaped it holds nothing). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

function environmentOf(pid: number): Map<string, string> {
  const entries = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return new Map(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

interface Launched {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launchWatch(dataDir: string, env: Record<string, string> = {}): Launched {
  // From source (no bundle): the test must not write the checkout's bundle cache.
  const child = spawn(process.execPath, [path.join(projectRoot, 'main/launch/station.mjs'), 'watch', '--data-dir', dataDir], {
    cwd: projectRoot,
    env: { ...process.env, STATION_NO_BUNDLE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => text, exited };
}

describe.skipIf(!onLinux)('the relaunched station', () => {
  it('runs with the settings, stops on the launcher\'s SIGTERM, and ends with a launcher that is killed', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-malloc-'));
    const dataDir = path.join(root, 'data');
    try {
      const first = launchWatch(dataDir);
      await waitFor(() => first.output().includes('Press Ctrl+C to stop.') || first.child.exitCode !== null, 90_000, 'the station to start');
      expect(first.output()).toContain('Press Ctrl+C to stop.');
      const [station] = childrenOf(first.child.pid!);
      expect(station).toBeGreaterThan(0);
      const env = environmentOf(station);
      for (const [name, value] of Object.entries(TUNED_MALLOC_ENV)) expect(env.get(name)).toBe(value);
      // The launcher itself runs untuned: it only waits.
      expect(environmentOf(first.child.pid!).has('MALLOC_ARENA_MAX')).toBe(false);

      // A power-cut-like kill of the launcher takes the station with it, and the next start gets the lock.
      first.child.kill('SIGKILL');
      await first.exited;
      await waitFor(() => !alive(station), 10_000, 'the station to end with its launcher');

      const second = launchWatch(dataDir);
      await waitFor(() => second.output().includes('Press Ctrl+C to stop.') || second.child.exitCode !== null, 90_000, 'the second station to start');
      expect(second.output()).not.toMatch(/Another station process/);
      const [secondStation] = childrenOf(second.child.pid!);
      second.child.kill('SIGTERM');
      const { code } = await second.exited;
      // Passed on: the station stopped as on its own SIGTERM, and the launcher exits with its status.
      expect(second.output()).toContain('stopping…');
      expect(code).toBe(0);
      expect(alive(secondStation)).toBe(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 240_000);

  it('is not relaunched with the opt-out', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-malloc-off-'));
    try {
      const run = launchWatch(path.join(root, 'data'), { STATION_MALLOC_TUNING: 'off' });
      await waitFor(() => run.output().includes('Press Ctrl+C to stop.') || run.child.exitCode !== null, 90_000, 'the station to start');
      expect(childrenOf(run.child.pid!)).toEqual([]);
      run.child.kill('SIGTERM');
      expect((await run.exited).code).toBe(0);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
