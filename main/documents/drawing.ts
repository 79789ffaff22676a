/**
 * Staff turns as the PDF applies them. The kept page image is never resampled for an edit: a turn
 * is recorded on the page row and becomes part of the page's drawing (the image turned about the
 * page centre and clipped, see main/pdf/page-drawing.ts), so quarter turns and hand turns are
 * lossless for JPEG and 1-bit pages alike, undo is exact, and a rebuild costs no image work.
 */
import type { PageRow } from '../store/pages.js';

/** Same shape as PageDrawing in main/imaging/types.ts (kept structural: this module only composes it). */
export interface TurnDrawing {
  turnDegrees: number;
  pageWidth: number;
  pageHeight: number;
  paper: { left: number; top: number; width: number; height: number } | null;
}

/** Page rows as the store returns them; the edit columns exist from migration 5 on. */
export type TurnablePage = Pick<PageRow, 'width' | 'height'> & { edit_quarters?: number | null; fine_degrees?: number | null };

export function staffTurn(page: TurnablePage): { quarters: 0 | 1 | 2 | 3; fine: number } {
  const quarters = ((((page.edit_quarters ?? 0) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
  return { quarters, fine: page.fine_degrees ?? 0 };
}

/**
 * The drawing for a page after staff turns: both turns are about the same centre, so they add;
 * an odd number of quarter turns swaps the page's sides. A hand turn keeps the page upright in
 * size (the corners it opens are white). Unturned pages keep the clean-up's drawing (or none).
 */
export function withStaffTurn<D extends TurnDrawing>(page: TurnablePage, cleanup: D | undefined): D | TurnDrawing | undefined {
  const { quarters, fine } = staffTurn(page);
  if (quarters === 0 && fine === 0) return cleanup;
  const base: TurnDrawing = cleanup ?? { turnDegrees: 0, pageWidth: page.width, pageHeight: page.height, paper: null };
  const swap = quarters % 2 === 1;
  return {
    ...base,
    turnDegrees: normaliseDegrees(base.turnDegrees + quarters * 90 + fine),
    pageWidth: swap ? base.pageHeight : base.pageWidth,
    pageHeight: swap ? base.pageWidth : base.pageHeight,
  };
}

/** Into (-180, 180], rounded to a millionth of a degree (exact quarter turns stay exact). */
function normaliseDegrees(value: number): number {
  let degrees = value % 360;
  if (degrees > 180) degrees -= 360;
  if (degrees <= -180) degrees += 360;
  return Math.round(degrees * 1e6) / 1e6;
}
