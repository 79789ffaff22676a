/**
 * Renders PDF pages with pdfjs-dist (legacy build for Node) onto @napi-rs/canvas, via the
 * canvas factory pdfjs brings along. Loaded on first use only: image-only scanner PDFs never
 * pay for it (importing pdfjs takes about a second here).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { RawImage } from './types.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type PdfDocumentProxy = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;

export interface PdfRenderer {
  doc: PdfDocumentProxy;
  close(): Promise<void>;
}

interface CanvasAndContext {
  canvas: { width: number; height: number };
  context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

interface CanvasFactory {
  create(width: number, height: number): CanvasAndContext;
  destroy(canvasAndContext: CanvasAndContext): void;
}

let pdfjsModule: Promise<PdfJs> | undefined;
const assetRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

export async function openPdfRenderer(bytes: Uint8Array): Promise<PdfRenderer> {
  const pdfjs = await (pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs'));
  const task = pdfjs.getDocument({
    // pdfjs may transfer the buffer it is given: hand it a copy, never the source's bytes.
    data: new Uint8Array(bytes),
    standardFontDataUrl: `${assetRoot}/standard_fonts/`,
    cMapUrl: `${assetRoot}/cmaps/`,
    cMapPacked: true,
    wasmUrl: `${assetRoot}/wasm/`,
    iccUrl: `${assetRoot}/iccs/`,
    // Never run code from a document, never reach the network.
    isEvalSupported: false,
    enableXfa: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: true,
    verbosity: 0,
  });
  const doc = await task.promise;
  return { doc, close: () => doc.destroy() };
}

/** Renders one page onto white at exactly width × height; grey pages come back with one channel. */
export async function renderPdfPage(renderer: PdfRenderer, index: number, width: number, height: number): Promise<RawImage> {
  const page = await renderer.doc.getPage(index + 1);
  try {
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: Math.min(width / base.width, height / base.height) });
    const factory = (renderer.doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
    const target = factory.create(width, height);
    try {
      await page.render({
        canvas: target.canvas as unknown as HTMLCanvasElement,
        canvasContext: target.context as unknown as CanvasRenderingContext2D,
        viewport,
        background: 'rgb(255,255,255)',
      }).promise;
      const rgba = target.context.getImageData(0, 0, width, height).data;
      return packRgba(rgba, width, height);
    } finally {
      factory.destroy(target);
    }
  } finally {
    page.cleanup();
  }
}

/** Parses the page's content and decodes its images and fonts without rasterising. */
export async function verifyPdfPage(renderer: PdfRenderer, index: number): Promise<void> {
  const page = await renderer.doc.getPage(index + 1);
  try {
    await page.getOperatorList();
  } finally {
    page.cleanup();
  }
}

/** RGBA (alpha always opaque on the white background) to grey when every pixel is neutral, else RGB. */
function packRgba(rgba: Uint8ClampedArray, width: number, height: number): RawImage {
  const pixels = width * height;
  let neutral = true;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i] !== rgba[i + 1] || rgba[i] !== rgba[i + 2]) {
      neutral = false;
      break;
    }
  }
  if (neutral) {
    const grey = Buffer.allocUnsafe(pixels);
    for (let p = 0; p < pixels; p++) grey[p] = rgba[p * 4];
    return { data: grey, width, height, channels: 1 };
  }
  const rgb = Buffer.allocUnsafe(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    rgb[p * 3] = rgba[p * 4];
    rgb[p * 3 + 1] = rgba[p * 4 + 1];
    rgb[p * 3 + 2] = rgba[p * 4 + 2];
  }
  return { data: rgb, width, height, channels: 3 };
}
