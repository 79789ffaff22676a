/**
 * pdfjs-dist ships its image decoders without type declarations; the JBIG2 tests use pdf.js's
 * JavaScript JBIG2 decoder from there. Only what they call is declared.
 */
declare module 'pdfjs-dist/image_decoders/pdf.image_decoders.mjs' {
  export class Jbig2Image {
    /** Decodes JBIG2 embedded-stream chunks to 1 bit per pixel, rows padded to bytes, 1 = ink. */
    parseChunks(chunks: { data: Uint8Array; start: number; end: number }[]): Uint8ClampedArray;
  }
}
