/**
 * Patch codes (Kodak's document-separation marks) as the spec draws them: four bars, two wide and
 * two narrow, with three narrow spaces, printed parallel to the leading edge. The bar order, read
 * from the leading edge, names the code. No check digit: the geometry is the whole code.
 */

export const patchTypes = ['I', 'II', 'III', 'IV', 'VI', 'T'] as const;
export type PatchType = (typeof patchTypes)[number];

/** Dimensions in inches (the spec's unit). */
export const PATCH_INCHES = {
  narrow: 0.08,
  wide: 0.2,
  space: 0.08,
  /** Height of the whole code across the bars: 2 wide + 2 narrow + 3 spaces. */
  height: 0.8,
  /** Bar length along the leading edge: at least 2 in, 2.5 in recommended. */
  minLength: 2,
  standardLength: 2.5,
} as const;

/** Bars from the leading edge: W = wide, N = narrow. */
export const PATCH_PATTERNS: Record<PatchType, string> = {
  I: 'WWNN',
  II: 'WNNW',
  III: 'WNWN',
  IV: 'NWWN',
  VI: 'NNWW',
  T: 'NWNW',
};

/** The patch type whose bar pattern (from the leading edge) is `pattern`, or null. */
export function patchTypeOf(pattern: string): PatchType | null {
  for (const type of patchTypes) if (PATCH_PATTERNS[type] === pattern) return type;
  return null;
}

/** The bars of a patch as offsets from its leading side, in inches: what a sheet prints. */
export function patchBars(type: PatchType): { offset: number; width: number }[] {
  const bars: { offset: number; width: number }[] = [];
  let offset = 0;
  for (const kind of PATCH_PATTERNS[type]) {
    const width = kind === 'W' ? PATCH_INCHES.wide : PATCH_INCHES.narrow;
    bars.push({ offset, width });
    offset += width + PATCH_INCHES.space;
  }
  return bars;
}
