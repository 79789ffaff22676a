/**
 * The window's size and position, remembered in <userData>/window-state.json. The file is input
 * like any other (it may be damaged or from another screen setup): parsed with zod, and a window
 * that would open off every display is brought back onto the primary one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const MIN_WIDTH = 900;
export const MIN_HEIGHT = 600;

const coordinate = z.number().int().min(-100_000).max(100_000);
const windowStateSchema = z.strictObject({
  bounds: z.strictObject({ x: coordinate, y: coordinate, width: z.number().int().min(1).max(100_000), height: z.number().int().min(1).max(100_000) }),
  maximized: z.boolean(),
});

export function parseWindowState(value: unknown): WindowState | null {
  const parsed = windowStateSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function defaultWindowState(workArea: Rect): WindowState {
  const width = Math.max(MIN_WIDTH, Math.min(1400, workArea.width));
  const height = Math.max(MIN_HEIGHT, Math.min(900, workArea.height));
  return {
    bounds: { x: workArea.x + Math.max(0, Math.round((workArea.width - width) / 2)), y: workArea.y + Math.max(0, Math.round((workArea.height - height) / 2)), width, height },
    maximized: false,
  };
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * The saved state, if enough of the window (its title bar area, at least 100×50 px) lands on one
 * of today's displays; otherwise the default on the primary display. Sizes are clamped to it.
 */
export function fitWindowState(saved: WindowState | null, workAreas: Rect[]): WindowState {
  const primary = workAreas[0] ?? { x: 0, y: 0, width: 1280, height: 800 };
  if (!saved) return defaultWindowState(primary);
  const titleBar = { x: saved.bounds.x, y: saved.bounds.y, width: saved.bounds.width, height: 50 };
  const home = workAreas.find((area) => overlap(titleBar, area) >= Math.min(100, saved.bounds.width) * 50);
  if (!home) return { ...defaultWindowState(primary), maximized: saved.maximized };
  const width = Math.max(MIN_WIDTH, Math.min(saved.bounds.width, home.width));
  const height = Math.max(MIN_HEIGHT, Math.min(saved.bounds.height, home.height));
  return { bounds: { x: saved.bounds.x, y: saved.bounds.y, width, height }, maximized: saved.maximized };
}

export function windowStateFile(userDataDir: string): string {
  return path.join(userDataDir, 'window-state.json');
}

export function loadWindowState(file: string): WindowState | null {
  try {
    return parseWindowState(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

/** Written whole or not at all (temp file and rename), so a crash never leaves half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  const checked = parseWindowState(state);
  if (!checked) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(checked));
  fs.renameSync(temp, file);
}
