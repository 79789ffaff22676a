// glibc's malloc settings for the station's page work on Linux, and the relaunch that applies them.
//
// Each grey scanner page is decoded into one buffer of about 26 MB (A4, 300 dpi, RGB). glibc serves
// a request that large with a fresh mmap and unmaps it when the buffer is collected, so every page
// writes its pixels into memory the kernel has to fault in and zero again. On the 2-core virtual
// machines this was measured on, filling a fresh 26 MB buffer costs about 100 ms of CPU against
// 2.4 ms for one reused (test/bench/ab-malloc.ts; the host takes freed memory back): the clean-up
// spent a third of its pages at 2-4x the CPU of the rest. With the heap serving such buffers and
// keeping what is freed (one arena, so a buffer freed by the collector on one thread is reused by
// libvips on another), the decode of a grey page costs its plain CPU again and peak memory drops
// (freed buffers are reused instead of new ones mapped while the collector lags).
//
// glibc reads these only when a process starts, so the launcher starts the station once more with
// them set and stays as a thin parent: it passes signals on, returns the exit status, and the
// station ends itself at once if the launcher is killed (as it would have ended in one process).
// Not done when any of them is set already (the user's choice wins), with STATION_MALLOC_TUNING=off,
// or off Linux (other systems' allocators do not read them).
import { spawn } from 'node:child_process';

/** The settings; see the module comment for why each. */
export const TUNED_MALLOC_ENV = Object.freeze({
  // One arena: a page buffer freed on the collector's thread is reused by the next decode on any thread.
  MALLOC_ARENA_MAX: '1',
  // Page buffers come from the heap: a 300 dpi A4 in RGB is 26 MB, a 600 dpi one 104 MB.
  MALLOC_MMAP_THRESHOLD_: String(256 * 1024 * 1024),
  // Freed heap memory stays with the process for the next page instead of going back to the kernel.
  MALLOC_TRIM_THRESHOLD_: String(1024 * 1024 * 1024),
});

/** Set in the relaunched station, so that it neither relaunches again nor outlives its launcher. */
const RELAUNCHED = 'STATION_MALLOC_RELAUNCHED';

/** True when this process should start the station again with TUNED_MALLOC_ENV. */
export function wantsTunedMallocRelaunch(env = process.env, platform = process.platform) {
  if (platform !== 'linux') return false;
  if (env[RELAUNCHED] === '1') return false;
  if ((env.STATION_MALLOC_TUNING ?? '').toLowerCase() === 'off') return false;
  return !Object.keys(TUNED_MALLOC_ENV).some((name) => env[name] !== undefined);
}

const FORWARDED_SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);

/**
 * Runs this same script again with the tuned settings and resolves with nothing: this process only
 * waits for the station and then exits as it did (same code, or the same signal).
 * @param {string} script the launcher's own file
 * @param {string[]} args its arguments
 */
export function relaunchWithTunedMalloc(script, args) {
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
    // Its own process group: a Ctrl+C in the terminal reaches only this parent, which passes it on
    // once (the station takes a second SIGINT as "stop now").
    detached: true,
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...TUNED_MALLOC_ENV, [RELAUNCHED]: '1' },
  });
  const forward = (signal) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const handlers = FORWARDED_SIGNALS.map((signal) => [signal, forward(signal)]);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  child.on('error', (error) => {
    process.stderr.write(`station: could not start the station process: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const [name, handler] of handlers) process.off(name, handler);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

/**
 * In the relaunched station: when the launcher goes (killed, say), its end of the channel closes;
 * the station then ends at once as well, the way one process would have. Every step is crash-safe,
 * so this loses nothing, and the data folder's lock is free for the next start.
 */
export function endWithLauncher() {
  if (process.env[RELAUNCHED] !== '1' || !process.channel) return;
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  process.channel.unref();
}
