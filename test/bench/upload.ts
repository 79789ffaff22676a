/**
 * `npm run bench -- upload [--count 1000] [--kb 200] [--concurrency 1,2] [--no-search]`: how many
 * documents per second the station sends to the reference receiver on loopback (a separate process,
 * storing with and without fsync), end to end through the real queue (leases, audit, commits per
 * delivery). Goal: ≥ 50 documents/s with the receiver's fsync off, so the station's send path is
 * never the bottleneck; with fsync on, the receiving disk usually sets the pace. Then, unless
 * --no-search, the customer search latency part of the issue-5 bench (test/bench/customers.ts, 50,000 customers).
 *
 * The documents are written straight into the store (PDF files of the given size), because the
 * bench measures sending, not imaging.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../../main/config/schema.js';
import { createStation } from '../../main/station.js';
import { projectRoot } from '../support/station-process.js';

async function startReceiverProcess(dir: string, fsync: boolean): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'main/receiver/main.ts'), '--port', '0', '--dir', dir, ...(fsync ? [] : ['--no-fsync'])], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk) => {
      text += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', () => reject(new Error(`The receiver exited: ${text}`)));
  });
  child.stdout!.resume();
  return { url, stop: () => new Promise((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM'))) };
}

function fakePdf(bytes: number, seed: number): Buffer {
  const body = crypto.createHash('sha512').update(String(seed)).digest();
  const filler = Buffer.alloc(bytes, body);
  return Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), filler, Buffer.from('\n%%EOF\n')]);
}

async function runOnce(count: number, kb: number, concurrency: number, fsync: boolean): Promise<{ seconds: number; perSecond: number; mbPerSecond: number }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'upload-bench-'));
  const receiver = await startReceiverProcess(path.join(root, 'received'), fsync);
  try {
    const config = parseConfig({ stationId: 'bench', sending: { targets: [{ kind: 'rest', name: 'dms', url: receiver.url }], defaultTarget: 'dms', concurrency } }, 'bench');
    const station = createStation({ dataDir: path.join(root, 'data'), config, watch: false });
    let totalBytes = 0;
    station.store.transaction(() => {
      for (let i = 0; i < count; i++) {
        const id = `bench-${String(i).padStart(5, '0')}`;
        const pdf = fakePdf(kb * 1024, i);
        const relative = path.join('documents', `${id}.pdf`);
        fs.writeFileSync(path.join(station.paths.dataDir, relative), pdf);
        totalBytes += pdf.length;
        station.store.documents.insert({ id, title: id, hotFolder: 'bench', profileName: 'bench', documentType: 'Sonstiges', batchId: null });
        station.store.documents.setAssembled(id, relative, crypto.createHash('sha256').update(pdf).digest('hex'), pdf.length, 1, 'queued');
      }
    });
    await station.start();
    // From here: the queue at work (start-up, worker threads and module loading are not sending).
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (station.store.documents.countsByState().uploaded === count) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    const seconds = (performance.now() - started) / 1000;
    const failed = station.store.documents.countsByState().error;
    await station.stop();
    if (failed) throw new Error(`${failed} documents failed to send.`);
    return { seconds, perSecond: count / seconds, mbPerSecond: totalBytes / 1e6 / seconds };
  } finally {
    await receiver.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export async function runUploadBench(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { count: { type: 'string', default: '1000' }, kb: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '1,2' }, 'no-search': { type: 'boolean', default: false } } });
  const count = Number(values.count);
  const kb = Number(values.kb);
  if (!Number.isInteger(count) || count < 1) throw new RangeError('--count needs a whole number of documents, e.g. --count 1000');
  if (!(kb > 0)) throw new RangeError('--kb needs the document size in KB, e.g. --kb 200');
  console.log(`Upload bench: ${count} documents of ${kb} KB to the reference receiver on loopback (separate process)`);
  // With the receiver's fsync the disk usually sets the pace; without it, the station's own side does
  // (queue, metadata, HTTP, durable bookkeeping): that is what the goal is about.
  for (const fsync of [false, true]) {
    for (const concurrency of values.concurrency!.split(',').map(Number)) {
      const result = await runOnce(count, kb, concurrency, fsync);
      const verdict = result.perSecond >= 50 ? 'ok (goal ≥ 50/s)' : 'below 50/s';
      console.log(`  receiver ${fsync ? 'with fsync   ' : 'without fsync'}, concurrency ${concurrency}: ${result.seconds.toFixed(1)} s, ${result.perSecond.toFixed(1)} documents/s, ${result.mbPerSecond.toFixed(1)} MB/s: ${verdict}`);
      if (!fsync && result.perSecond < 50) process.exitCode = 1;
    }
  }
  if (!values['no-search']) {
    const { runCustomersBench } = await import('./customers.js');
    await runCustomersBench(['--count', '50000']);
  }
}
