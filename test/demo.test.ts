/**
 * `npm start -- --demo`: sample customers a search can find (umlauts folded), and sample scans
 * dropped into the hot folder as real, decodable, new files each run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { parseConfig } from '../main/config/schema.js';
import { runDemo } from '../main/demo/sample-data.js';
import { createStation, type Station } from '../main/station.js';

let root: string;
let hot: string;
let station: Station;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-demo-'));
  hot = path.join(root, 'hot');
  station = createStation({ dataDir: path.join(root, 'data'), config: parseConfig({ hotFolders: [{ path: hot }], imaging: { workers: 1 } }, 'test'), watch: false });
  await station.start();
});

afterAll(async () => {
  await station?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('demo data', () => {
  it('adds findable sample customers and drops new sample scans each run', async () => {
    const first = await runDemo(station, new Date('2026-11-25T10:00:00Z'));
    expect(first.customers).toBe(6);
    expect(first.hotFolder).toBe(hot);
    expect(station.customers.search('Mueller').map((c) => c.familyName)).toContain('Müller');
    expect(station.customers.search('ozdemir')).toHaveLength(1);
    const names = fs.readdirSync(hot).sort();
    expect(names).toEqual([...first.files].sort());
    for (const name of names) {
      const meta = await sharp(path.join(hot, name)).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.width).toBe(1240);
    }
    const second = await runDemo(station, new Date('2026-11-25T10:05:00Z'));
    expect(second.customers).toBe(6);
    expect(station.customers.search('Müller')).toHaveLength(2);
    expect(fs.readdirSync(hot)).toHaveLength(4);
    const bytes = (file: string) => fs.readFileSync(path.join(hot, file));
    expect(bytes(first.files[0]!).equals(bytes(second.files[0]!))).toBe(false);
  });
});
