/**
 * Ways to get the clean-up's two things from a grey scanner JPEG in colour (3 channels): the small
 * RGB analysis copy (~100 dpi) and the full-resolution green channel (the grey the threshold uses).
 * Each way runs in its own child process (each pays for its own garbage collections; one libvips
 * thread, no cache, as in a page worker), pages interleaved, the order rotating page by page.
 * Reports CPU per page (user + system, all threads): median and mean (the mean holds the
 * occasional full garbage collection a median can step over), and major GCs per page.
 *
 *   node --import tsx test/bench/decode-small.ts [--pages N] [--ways a,b,c]
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startChildMeter } from './child-meter.js';

const self = fileURLToPath(import.meta.url);

interface Result {
  ms: number;
  majorGcs: number;
}

type Way = (bytes: Buffer) => Promise<void>;

async function ways(): Promise<Record<string, Way>> {
  const sharp = (await import('sharp')).default;
  const { boxShrinkKeepingGreen, boxShrink } = await import('../../main/imaging/box-shrink.js');
  const { giveBack } = await import('../../main/imaging/spare-buffers.js');
  const open = (bytes: Buffer) => sharp(bytes, { autoOrient: true, limitInputPixels: 2 ** 28, failOn: 'warning' });
  const rgb = async (bytes: Buffer) => {
    const { data, info } = await open(bytes).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 as const };
  };
  const green = async (bytes: Buffer) => open(bytes).flatten({ background: '#ffffff' }).toColourspace('srgb').extractChannel(1).raw().toBuffer();
  const smallOnLoad = async (bytes: Buffer, kernel: 'linear' | 'cubic' | 'lanczos3' | 'nearest' | 'mitchell') =>
    open(bytes).resize({ width: 827, kernel }).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer();
  return {
    // Today: one RGB decode, one JS pass for the small copy and the green.
    current: async (bytes) => {
      const { small, green } = boxShrinkKeepingGreen(await rgb(bytes), 3);
      giveBack(small.data, green?.data);
    },
    decodeRgbOnly: async (bytes) => {
      await rgb(bytes);
    },
    shrinkNoGreen: async (bytes) => {
      giveBack(boxShrink(await rgb(bytes), 3).data);
    },
    greenOnly: async (bytes) => {
      await green(bytes);
    },
    greyOnly: async (bytes) => {
      await open(bytes).flatten({ background: '#ffffff' }).toColourspace('b-w').raw().toBuffer();
    },
    smallOnLoadLinear: async (bytes) => {
      await smallOnLoad(bytes, 'linear');
    },
    greenPlusSmallOnLoad: async (bytes) => {
      await green(bytes);
      await smallOnLoad(bytes, 'linear');
    },
    // libvips' resize of the full decode (no shrink-on-load), small copy only.
    vipsResizeFull: async (bytes) => {
      await open(bytes).resize({ width: 827, kernel: 'linear', fastShrinkOnLoad: false }).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer();
    },
  };
}

async function child(): Promise<void> {
  const sharp = (await import('sharp')).default;
  const { cpuMs: cpu, majorGcs: gcCount } = startChildMeter(sharp);
  const table = await ways();
  const way = table[process.argv[3].replace(/\+.*/, '')];
  process.on('message', async (message: { file: string } | 'exit') => {
    if (message === 'exit') process.exit(0);
    const bytes = fs.readFileSync(message.file);
    const start = cpu();
    await way(bytes);
    process.send!({ ms: cpu() - start, majorGcs: gcCount() } satisfies Result);
  });
  process.send!('ready');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const count = Number(opt('pages') ?? 48);
  const chosen = (opt('ways') ?? 'current,decodeRgbOnly,greenOnly,smallOnLoadLinear,greenPlusSmallOnLoad').split(',');
  const { ensurePages, greyBatch } = await import('./generate.js');
  const files = (await ensurePages(greyBatch(count))).map((p) => p.file);
  const children = new Map<string, ChildProcess>();
  const ask = (name: string, message: unknown) =>
    new Promise<Result>((resolve) => {
      children.get(name)!.once('message', (m) => resolve(m as Result));
      children.get(name)!.send(message as object);
    });
  try {
    for (const name of chosen) {
      // "way+heap": the same way with glibc told to serve big blocks from its heap and keep them (no fresh pages each time).
      const env = name.endsWith('+heap') ? { ...process.env, MALLOC_MMAP_THRESHOLD_: String(2 ** 28), MALLOC_TRIM_THRESHOLD_: String(2 ** 30) } : process.env;
      children.set(name, fork(self, ['--child', name], { execArgv: ['--import', 'tsx'], env }));
      await new Promise((resolve) => children.get(name)!.once('message', resolve));
    }
    for (const name of chosen) for (let i = 0; i < 3; i++) await ask(name, { file: files[i % files.length] });
    const times = new Map<string, number[]>(chosen.map((name) => [name, []]));
    const gcs = new Map<string, number>();
    const startGcs = new Map<string, number>();
    for (let p = 0; p < files.length; p++) {
      const order = chosen.map((_, i) => chosen[(i + p) % chosen.length]);
      for (const name of order) {
        const r = await ask(name, { file: files[p] });
        if (p === 0) startGcs.set(name, r.majorGcs);
        times.get(name)!.push(r.ms);
        gcs.set(name, r.majorGcs);
      }
    }
    const median = (values: number[]) => {
      const s = [...values].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    };
    console.log(`${files.length} pages; CPU ms per page (user + system)`);
    console.log(`${'way'.padEnd(22)} ${'median'.padStart(7)} ${'mean'.padStart(7)} ${'GCs/pg'.padStart(7)}`);
    for (const name of chosen) {
      const t = times.get(name)!;
      const mean = t.reduce((a, b) => a + b, 0) / t.length;
      const g = ((gcs.get(name)! - startGcs.get(name)!) / (files.length - 1)).toFixed(2);
      console.log(`${name.padEnd(22)} ${median(t).toFixed(1).padStart(7)} ${mean.toFixed(1).padStart(7)} ${g.padStart(7)}`);
    }
  } finally {
    for (const c of children.values()) c.send('exit');
  }
}

if (process.argv[2] === '--child') await child();
else await main();
