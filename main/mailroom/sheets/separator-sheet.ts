/**
 * The station's generic separator sheet (A4 PDF): Patch T along the top edge and, turned, along
 * the bottom (so a patch-reading scanner sees it whichever way the sheet is fed), a large QR code
 * with the station's separator payload, and "Trennblatt" in big letters for the people who stack
 * the mail. Any one of the three marks suffices for the station.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { formatSeparatorPayload } from './payload.js';
import { A4, MM, PATCH_HEIGHT_POINTS, centredText, drawPatch, drawQr } from './draw.js';

export const PATCH_INSET_MM = 12;
export const PATCH_LENGTH_MM = 130;

export async function makeSeparatorSheetPdf(options: { date?: Date } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('Trennblatt');
  doc.setCreator('Intake Station');
  doc.setProducer('Intake Station');
  const when = options.date ?? new Date();
  doc.setCreationDate(when);
  doc.setModificationDate(when);
  const page = doc.addPage([A4.width, A4.height]);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const regular = await doc.embedFont(StandardFonts.Helvetica);

  const patchLeft = (A4.width - PATCH_LENGTH_MM * MM) / 2;
  drawPatch(page, 'T', 'top', PATCH_INSET_MM * MM, patchLeft, PATCH_LENGTH_MM * MM);
  drawPatch(page, 'T', 'bottom', PATCH_INSET_MM * MM, patchLeft, PATCH_LENGTH_MM * MM);

  const qrSize = 70 * MM;
  const qrTop = A4.height - PATCH_INSET_MM * MM - PATCH_HEIGHT_POINTS - 40 * MM;
  drawQr(page, formatSeparatorPayload(), (A4.width - qrSize) / 2, qrTop, qrSize);

  const textTop = qrTop - qrSize - 30 * MM;
  centredText(page, bold, 'Trennblatt', textTop, 64);
  centredText(page, regular, 'Separator sheet', textTop - 12 * MM, 16);
  centredText(page, regular, 'Vor jedes Dokument im Poststapel legen. Die Station erkennt dieses Blatt und entfernt es.', textTop - 26 * MM, 10.5);
  centredText(page, regular, 'Nicht verkleinern und nicht über die Balken schreiben: ihre Größe ist der Code.', textTop - 32 * MM, 10.5);
  return doc.save();
}
