/**
 * Drawing helpers for the station's sheets (pdf-lib, A4, points; y grows upwards as in PDF).
 * Codes are drawn as vector rectangles, so they print sharp at any printer resolution.
 */
import bwipjs from 'bwip-js';
import { rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { PATCH_INCHES, patchBars, type PatchType } from '../codes/patch-spec.js';

export const A4 = { width: 595.28, height: 841.89 } as const;
export const MM = 72 / 25.4;
const BLACK = rgb(0, 0, 0);

/** Draws a QR code (error correction M, 4-module quiet zone kept clear) with its top-left corner at (left, top). */
export function drawQr(page: PDFPage, text: string, left: number, top: number, size: number): void {
  // bwip-js takes the string's characters as bytes: Latin-1, the QR default without an ECI marker.
  const [symbol] = bwipjs.raw({ bcid: 'qrcode', text, eclevel: 'M' } as Parameters<typeof bwipjs.raw>[0]) as { pixs: number[]; pixx: number; pixy: number }[];
  const module = size / symbol.pixx;
  for (let row = 0; row < symbol.pixy; row++) {
    let col = 0;
    while (col < symbol.pixx) {
      if (!symbol.pixs[row * symbol.pixx + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < symbol.pixx && symbol.pixs[row * symbol.pixx + col]) col++;
      // A hair of overlap so no white seam shows between neighbouring rectangles.
      page.drawRectangle({ x: left + start * module, y: top - (row + 1) * module - 0.01, width: (col - start) * module + 0.01, height: module + 0.02, color: BLACK });
    }
  }
}

/**
 * Draws a patch code's bars across the page, parallel to the edge named by `edge`, starting
 * `inset` points from it: the bar nearest that edge is the pattern's first (the spec's leading edge).
 */
export function drawPatch(page: PDFPage, type: PatchType, edge: 'top' | 'bottom', inset: number, left: number, length: number): void {
  const inch = 72;
  for (const bar of patchBars(type)) {
    const near = inset + bar.offset * inch;
    const y = edge === 'top' ? A4.height - near - bar.width * inch : near;
    page.drawRectangle({ x: left, y, width: length, height: bar.width * inch, color: BLACK });
  }
}

export const PATCH_HEIGHT_POINTS = PATCH_INCHES.height * 72;

/**
 * Text the font can show: the standard fonts speak WinAnsi (German umlauts and ß included);
 * other letters lose their accents (Łukasz → Lukasz, Şahin → Sahin), anything else becomes "?".
 */
export function printable(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  const fallback: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', ı: 'i', Ħ: 'H', ħ: 'h', Ø: 'O', ø: 'o', '\u2010': '-', '\u2011': '-' };
  let out = '';
  for (const char of text.replace(/\s+/g, ' ')) {
    const code = char.codePointAt(0)!;
    if (supported.has(code)) out += char;
    else if (fallback[char]) out += fallback[char];
    else {
      const stripped = char.normalize('NFD').replace(/\p{M}/gu, '');
      out += [...stripped].every((c) => supported.has(c.codePointAt(0)!)) && stripped ? stripped : '?';
    }
  }
  return out;
}

/** Draws one line of text centred on the page at baseline `y`, shrunk to fit `maxWidth`. */
export function centredText(page: PDFPage, font: PDFFont, text: string, y: number, size: number, maxWidth = A4.width - 40 * MM): void {
  const safe = printable(font, text);
  const width = font.widthOfTextAtSize(safe, size);
  const fitted = width > maxWidth ? (size * maxWidth) / width : size;
  page.drawText(safe, { x: (A4.width - font.widthOfTextAtSize(safe, fitted)) / 2, y, size: fitted, font, color: BLACK });
}

/** Draws text at (x, baseline y), shrunk to fit `maxWidth`. */
export function leftText(page: PDFPage, font: PDFFont, text: string, x: number, y: number, size: number, maxWidth: number): void {
  const safe = printable(font, text);
  const width = font.widthOfTextAtSize(safe, size);
  page.drawText(safe, { x, y, size: width > maxWidth ? (size * maxWidth) / width : size, font, color: BLACK });
}
