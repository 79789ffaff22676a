/**
 * Runs the station's one-shot command exactly as a user would (`npm run station`, without npm) —
 * `node main/launch/station.mjs process <folder> --out <dir> --json` — and measures it from the
 * outside: wall time from spawn to exit, CPU time and the resident-memory high-water mark of the
 * launcher and the station it starts (on Linux the launcher starts the station once more with
 * glibc's malloc tuned, main/launch/tuned-malloc.mjs, and stays as a thin parent; worker threads
 * live in the station's process, so they are counted), and what it wrote.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBundle } from '../../main/launch/bundle-cache.mjs';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const POLL_MS = 50;
const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ; /proc/<pid>/stat counts CPU time in these.

export interface PageLine {
  source: string;
  skewDegrees: number | null;
  rotatedDegrees: number;
  blank: boolean;
  dropped: boolean;
  colourMode: string;
  passthrough: boolean;
  bytes: number;
}

export interface OutputLine {
  state: string;
  source?: string;
  reason?: string;
  pdf?: string | null;
  pageCount?: number;
  bytes?: number;
  error?: string;
  pages?: PageLine[];
}

export interface MeasuredRun {
  wallMs: number;
  /** User + system CPU of the child, all threads; steadier than wall time on a shared machine. */
  cpuMs: number;
  /** VmHWM: the most resident memory the child ever had. */
  peakRssBytes: number;
  exitCode: number | null;
  lines: OutputLine[];
  stderr: string;
  /** Sizes of the PDFs written to the output folder. */
  pdfBytes: number;
  pdfCount: number;
}

interface ProcSample {
  hwmBytes: number;
  rssBytes: number;
  cpuMs: number;
}

/** One process: its memory, and its CPU with that of the children it has reaped (cutime, cstime). */
function sampleProc(pid: number): ProcSample | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, hence the last ')'): utime, stime,
    // cutime and cstime are the 14th to 17th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return { hwmBytes: kb('VmHWM'), rssBytes: kb('VmRSS'), cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return undefined; // The process has just exited.
  }
}

/** The launcher's live child processes (the relaunched station), from the kernel's list of them. */
function childPids(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter((text) => text.trim() !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * The launcher and its live children together: CPU summed (a child's CPU moves into the launcher's
 * cutime once reaped, so the sum never counts it twice), memory as the sum of the high-water marks
 * (an upper bound: the two peaks need not coincide, but the launcher's share is small and steady).
 */
function sampleTree(pid: number): ProcSample | undefined {
  const launcher = sampleProc(pid);
  if (!launcher) return undefined;
  const total = { ...launcher };
  for (const child of childPids(pid)) {
    const sample = sampleProc(child);
    if (!sample) continue;
    total.hwmBytes += sample.hwmBytes;
    total.rssBytes += sample.rssBytes;
    total.cpuMs += sample.cpuMs;
  }
  return total;
}

export interface RunCliOptions {
  inputs: string[];
  outDir: string;
  extraArgs?: string[];
  /** Node flags for the child, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Extra environment, e.g. STATION_MALLOC_TUNING=off to measure without the tuned malloc. */
  env?: Record<string, string>;
}

export async function runCli(options: RunCliOptions): Promise<MeasuredRun> {
  if (process.platform !== 'linux') throw new Error('The process bench reads /proc/<pid> for memory and CPU: it runs on Linux only.');
  fs.mkdirSync(options.outDir, { recursive: true });
  const args = [
    ...(options.nodeArgs ?? []),
    path.join(REPO_ROOT, 'main/launch/station.mjs'),
    'process',
    ...options.inputs,
    '--out',
    options.outDir,
    '--json',
    ...(options.extraArgs ?? []),
  ];
  // Built (or checked fresh) here, so a run measures the steady state, not the first start after an edit.
  await ensureBundle({ root: REPO_ROOT });
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  let peak = 0;
  let cpuMs = 0;
  const poll = () => {
    const sample = child.pid ? sampleTree(child.pid) : undefined;
    if (!sample) return;
    // VmHWM is itself a high-water mark; VmRSS guards against a kernel that does not report it.
    peak = Math.max(peak, sample.hwmBytes, sample.rssBytes);
    cpuMs = Math.max(cpuMs, sample.cpuMs);
  };
  const timer = setInterval(poll, POLL_MS);
  // Sampling on 'exit' would be too late (the /proc entry is gone once the child is reaped), so the
  // figures are those of the last poll: at most 50 ms of shutdown go unseen, and they hold no peak.
  // Listen for 'close' (all output read) from the start: it may come right after 'exit'.
  const closed = new Promise((resolve) => child.on('close', resolve));
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  clearInterval(timer);
  await closed;

  const lines: OutputLine[] = [];
  for (const text of stdout.split('\n')) {
    if (!text.trim()) continue;
    try {
      lines.push(JSON.parse(text) as OutputLine);
    } catch {
      throw new Error(`The process command printed a line that is not JSON: ${text.slice(0, 200)}`);
    }
  }
  const pdfs = fs.readdirSync(options.outDir).filter((name) => name.endsWith('.pdf'));
  const pdfBytes = pdfs.reduce((sum, name) => sum + fs.statSync(path.join(options.outDir, name)).size, 0);
  return { wallMs, cpuMs, peakRssBytes: peak, exitCode, lines, stderr, pdfBytes, pdfCount: pdfs.length };
}
