/**
 * Reads what a PDF image dictionary needs from a JPEG's headers (frame size, components, Adobe
 * marker) without decoding it, so JPEG pages go into the PDF byte for byte.
 */

export interface JpegInfo {
  width: number;
  height: number;
  /** 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  components: 1 | 3 | 4;
  /**
   * An Adobe APP14 marker is present. Adobe's writers (and libjpeg for CMYK) store CMYK inverted,
   * so a CMYK image with this marker needs /Decode [1 0 1 0 1 0 1 0] in the PDF.
   */
  adobe: boolean;
}

export class JpegHeaderError extends Error {
  override name = 'JpegHeaderError';
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP14 = 0xee;
/** Baseline, extended sequential and progressive Huffman frames: what PDF's DCTDecode reads. */
const SUPPORTED_FRAMES = new Set([0xc0, 0xc1, 0xc2]);
/** Every other SOFn (lossless, hierarchical, arithmetic coding): readers refuse or misdraw them. */
const OTHER_FRAMES = new Set([0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

const hex = (byte: number) => byte.toString(16).toUpperCase().padStart(2, '0');

export function readJpegInfo(data: Uint8Array): JpegInfo {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== SOI) {
    throw new JpegHeaderError(`not a JPEG: starts with ${[...data.subarray(0, 2)].map(hex).join(' ') || 'nothing'}, expected FF D8`);
  }
  let adobe = false;
  let frame: { body: Uint8Array; marker: number } | undefined;
  let pos = 2;
  // Read up to the first scan: the Adobe marker may come before or after the frame header.
  for (;;) {
    if (pos >= data.length) throw new JpegHeaderError(`truncated JPEG: no ${frame ? 'scan' : 'frame header (SOF)'} in its ${data.length} bytes`);
    if (data[pos] !== 0xff) throw new JpegHeaderError(`corrupt JPEG: expected a marker at byte ${pos}, found ${hex(data[pos])}`);
    // Any number of 0xFF fill bytes may precede a marker code.
    while (pos < data.length && data[pos] === 0xff) pos++;
    const marker = data[pos++];
    if (marker === undefined) throw new JpegHeaderError(`truncated JPEG: ends inside a marker at byte ${pos - 1}`);
    // Markers without a length field.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (marker === SOS && frame) return frameInfo(frame.body, frame.marker, adobe);
    if (marker === SOS) throw new JpegHeaderError(`corrupt JPEG: the scan at byte ${pos - 2} comes before any frame header (SOF)`);
    if (marker === EOI) throw new JpegHeaderError(`corrupt JPEG: it ends (FF D9 at byte ${pos - 2}) before its first scan`);
    if (pos + 2 > data.length) throw new JpegHeaderError(`truncated JPEG: marker FF ${hex(marker)} at byte ${pos - 2} has no length`);
    const length = (data[pos] << 8) | data[pos + 1];
    if (length < 2 || pos + length > data.length) {
      throw new JpegHeaderError(`truncated JPEG: segment FF ${hex(marker)} at byte ${pos - 2} claims ${length} bytes, ${data.length - pos} remain`);
    }
    const body = data.subarray(pos + 2, pos + length);
    if (marker === APP14 && body.length >= 5 && String.fromCharCode(...body.subarray(0, 5)) === 'Adobe') adobe = true;
    if (OTHER_FRAMES.has(marker)) throw new JpegHeaderError(`unsupported JPEG coding (SOF marker FF ${hex(marker)}): only baseline and progressive Huffman JPEGs go into a PDF`);
    if (SUPPORTED_FRAMES.has(marker) && !frame) frame = { body, marker };
    pos += length;
  }
}

function frameInfo(body: Uint8Array, marker: number, adobe: boolean): JpegInfo {
  if (body.length < 6) throw new JpegHeaderError(`corrupt JPEG: frame header FF ${hex(marker)} is ${body.length} bytes long`);
  const precision = body[0];
  const height = (body[1] << 8) | body[2];
  const width = (body[3] << 8) | body[4];
  const components = body[5];
  if (precision !== 8) throw new JpegHeaderError(`JPEG has ${precision}-bit samples: PDF's DCTDecode reads 8-bit JPEGs only`);
  // Height 0 means "given later in a DNL marker": legal JPEG, but PDF needs the size up front.
  if (width === 0 || height === 0) throw new JpegHeaderError(`JPEG frame header gives a size of ${width}×${height} (a DNL marker?): the PDF needs the size up front`);
  if (components !== 1 && components !== 3 && components !== 4) {
    throw new JpegHeaderError(`JPEG has ${components} colour components: expected 1 (grey), 3 (colour) or 4 (CMYK)`);
  }
  return { width, height, components, adobe };
}
