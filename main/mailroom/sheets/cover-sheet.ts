/**
 * A cover sheet (Deckblatt) for one customer and document type: laid on top of a document in the
 * mail stack, it starts a new document and assigns it. The QR code carries the customer number,
 * document type and expected page count (payload.ts); the same facts are printed in plain text
 * so staff can check the sheet before it goes into the stack.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { A4, MM, centredText, drawQr, leftText } from './draw.js';
import { formatCoverPayload } from './payload.js';

export interface CoverSheetInput {
  customerNumber: string;
  /** Printed in plain text; never in the QR code. */
  customerName: string | null;
  documentType: string | null;
  expectedPages?: number | null;
  date?: Date;
}

export async function makeCoverSheetPdf(input: CoverSheetInput): Promise<Uint8Array> {
  const payload = formatCoverPayload({ customerNumber: input.customerNumber, documentType: input.documentType, expectedPages: input.expectedPages ?? null });
  const when = input.date ?? new Date();
  const doc = await PDFDocument.create();
  // No customer facts in the metadata: file managers and indexers show it without opening the file.
  doc.setTitle('Deckblatt');
  doc.setCreator('Intake Station');
  doc.setProducer('Intake Station');
  doc.setCreationDate(when);
  doc.setModificationDate(when);
  const page = doc.addPage([A4.width, A4.height]);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const regular = await doc.embedFont(StandardFonts.Helvetica);

  centredText(page, bold, 'Deckblatt', A4.height - 35 * MM, 40);
  centredText(page, regular, 'Cover sheet · Intake Station', A4.height - 45 * MM, 12);

  const qrSize = 60 * MM;
  const qrTop = A4.height - 60 * MM;
  drawQr(page, payload, (A4.width - qrSize) / 2, qrTop, qrSize);

  const left = 30 * MM;
  const valueLeft = 82 * MM;
  const maxValue = A4.width - valueLeft - 25 * MM;
  let y = qrTop - qrSize - 25 * MM;
  const row = (label: string, value: string, size = 16) => {
    leftText(page, regular, label, left, y, 12, valueLeft - left - 4 * MM);
    leftText(page, bold, value, valueLeft, y, size, maxValue);
    y -= 14 * MM;
  };
  row('Name', input.customerName?.trim() || '—', 20);
  row('Kundennummer', input.customerNumber.trim(), 20);
  row('Dokumentart', input.documentType?.trim() || '—');
  if (input.expectedPages) row('Seiten (erwartet)', String(input.expectedPages));
  row('Erstellt am', formatGermanDate(when));

  const note = A4.height - (A4.height - y) - 10 * MM;
  centredText(page, regular, 'Dieses Blatt auf die erste Seite des Dokuments legen und mit ihm einscannen.', note, 10.5);
  centredText(page, regular, 'Die Station erkennt es, ordnet das Dokument zu und entfernt das Deckblatt.', note - 6 * MM, 10.5);
  if (input.expectedPages) centredText(page, regular, 'Weicht die Seitenzahl ab, wird das Dokument zur Prüfung markiert.', note - 12 * MM, 10.5);
  return doc.save();
}

function formatGermanDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getDate())}.${pad(date.getMonth() + 1)}.${date.getFullYear()}`;
}
