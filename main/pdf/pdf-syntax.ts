/**
 * The few pieces of PDF syntax the writer needs, spelled one way each so the same input always
 * gives the same bytes: numbers, text strings, dates, object headers.
 */

/**
 * A real number with at most four decimals (or `digits`, for the entries of a turn), never in exponent form (PDF has none) and never "-0".
 * Four decimals of a point are 1/18,000 of an inch: far below any pixel.
 */
export function pdfNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) throw new RangeError(`a PDF number must be finite, got ${value}`);
  const scale = 10 ** digits;
  const rounded = Math.round(value * scale) / scale;
  if (Math.abs(rounded) >= 1e15) throw new RangeError(`a PDF number must be smaller than 1e15, got ${value}`);
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/**
 * A text string (PDF 32000-1, 7.9.2.2): printable ASCII as a literal string, which stays readable in
 * the file and is the same in PDFDocEncoding; anything else as UTF-16BE with a byte order mark,
 * written in hex so no byte of it can end the string early.
 */
export function pdfTextString(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return `(${value.replace(/[\\()]/g, (char) => `\\${char}`)})`;
  let hex = 'FEFF';
  for (let i = 0; i < value.length; i++) hex += value.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
  return `<${hex}>`;
}

/** A date string in UTC with whole seconds, as D:YYYYMMDDHHmmSSZ (what pdf-lib writes too). */
export function pdfDate(date: Date): string {
  const iso = date.toISOString(); // 2026-11-05T09:30:15.250Z
  return `(D:${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z)`;
}

export function pdfRef(objectNumber: number): string {
  return `${objectNumber} 0 R`;
}
