import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeJpeg } from '../main/imaging/encode.js';
import { measurePaperLevels, whitenPaper } from '../main/imaging/whiten-paper.js';
import { renderScan } from './fixtures/scan-faults.js';

describe('whitenPaper', () => {
  it('turns noisy paper pure white, keeps ink and photo tones in order, and shrinks the grey JPEG', async () => {
    const scan = await renderScan({ dpi: 150, seed: 21, photo: 'grey', noise: 6 });
    const image = { data: Buffer.from(scan.grey), width: scan.width, height: scan.height, channels: 1 as const };
    const levels = whitenPaper(image);
    expect(levels).not.toBeNull();
    expect(levels!.paper).toBeGreaterThanOrEqual(244);
    expect(levels!.whitePoint).toBeLessThan(levels!.paper);
    // A corner of bare paper: all white now, noisy before.
    const before = new Set<number>();
    for (let y = 5; y < 40; y++) for (let x = 5; x < 40; x++) {
      before.add(scan.grey[y * scan.width + x]);
      expect(image.data[y * scan.width + x]).toBe(255);
    }
    expect(before.size).toBeGreaterThan(3);
    // The mapping keeps order (a tone curve, not a threshold): darker stays darker.
    for (let i = 0; i < scan.grey.length; i += 997) {
      for (let j = i + 1; j < Math.min(scan.grey.length, i + 3); j++) {
        if (scan.grey[i] < scan.grey[j]) expect(image.data[i]).toBeLessThanOrEqual(image.data[j]);
      }
    }
    const raw = await encodeJpeg({ ...image, data: Buffer.from(scan.grey) }, 150);
    const cleaned = await encodeJpeg(image, 150);
    expect(cleaned.data.length).toBeLessThan(raw.data.length * 0.9);
  });

  it('whitens the colour channels of RGBA and leaves alpha alone', () => {
    const data = Buffer.from([250, 248, 252, 7, 40, 60, 80, 9]);
    const levels = whitenPaper({ data, width: 2, height: 1, channels: 4 }, { paper: 250, whitePoint: 240 });
    expect(levels).toEqual({ paper: 250, whitePoint: 240 });
    expect([...data]).toEqual([255, 255, 255, 7, 43, 64, 85, 9]);
  });

  it('leaves a page without bright paper alone', async () => {
    const data = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 90, g: 90, b: 90 } } }).raw().toBuffer();
    expect(measurePaperLevels({ data, width: 64, height: 64, channels: 3 })).toBeNull();
  });
});
