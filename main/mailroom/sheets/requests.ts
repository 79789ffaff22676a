/**
 * Making the station's sheets on request, shared by the API (contract ops makeSeparatorSheet /
 * makeCoverSheet) and the CLI (`station cover-sheet`, `station separator-sheet`): the customer is
 * looked up in the directory (the name printed is the directory's), the document type must be one
 * the station knows (so the assigned document gets a type staff can choose), and every refusal
 * carries a stable code and a message that says what to do.
 */
import { makeCoverSheetPdf } from './cover-sheet.js';
import { makeSeparatorSheetPdf } from './separator-sheet.js';

export type SheetErrorCode = 'unknown_customer' | 'unknown_document_type' | 'invalid_input';

export class SheetRequestError extends Error {
  override name = 'SheetRequestError';
  constructor(
    readonly code: SheetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface SheetContext {
  /** The directory's customer for a customer (or single-person BG) number; missing: no directory. */
  findCustomer?: (number: string) => { customerNumber: string; name: string } | null;
  /** Configured document types (config.documentTypes). */
  documentTypes: readonly string[];
  now?: () => Date;
}

export interface CoverSheetRequest {
  customerNumber: string;
  documentType: string;
  expectedPages?: number | null;
  /** Print this name without asking the directory (a customer not in it yet). */
  customerName?: string | null;
}

export interface SheetPdf {
  fileName: string;
  pdf: Uint8Array;
}

export interface CoverSheetPdf extends SheetPdf {
  customerNumber: string;
  customerName: string;
  documentType: string;
}

export async function separatorSheet(context: Pick<SheetContext, 'now'> = {}): Promise<SheetPdf> {
  return { fileName: 'Trennblatt.pdf', pdf: await makeSeparatorSheetPdf({ date: context.now?.() }) };
}

export async function coverSheet(request: CoverSheetRequest, context: SheetContext): Promise<CoverSheetPdf> {
  const number = request.customerNumber.trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N} ./_-]{0,39}$/u.test(number)) {
    throw new SheetRequestError('invalid_input', 'A customer number is 1 to 40 letters and digits (spaces, ".", "/", "_" and "-" allowed inside).');
  }
  const pages = request.expectedPages ?? null;
  if (pages !== null && (!Number.isInteger(pages) || pages < 1 || pages > 9999)) {
    throw new SheetRequestError('invalid_input', 'The expected page count must be a whole number from 1 to 9999.');
  }
  const wanted = request.documentType.trim().toLocaleLowerCase('de-DE');
  const documentType = context.documentTypes.find((type) => type.toLocaleLowerCase('de-DE') === wanted);
  if (!documentType) {
    throw new SheetRequestError('unknown_document_type', `"${request.documentType.trim()}" is not one of the station's document types: ${context.documentTypes.join(', ')}.`);
  }

  let customerNumber = number;
  let customerName = request.customerName?.trim() || null;
  if (!customerName) {
    const customer = context.findCustomer?.(number) ?? null;
    if (!customer) {
      throw new SheetRequestError(
        'unknown_customer',
        context.findCustomer
          ? `No customer with the number ${number} is in the directory (or the BG number names several people). Import the directory, use the customer's own number, or give the name to print.`
          : 'The customer directory is not available here. Give the name to print.',
      );
    }
    // The directory's own number: a BG number typed for a one-person household becomes the customer's.
    customerNumber = customer.customerNumber;
    customerName = customer.name;
  }
  const pdf = await makeCoverSheetPdf({ customerNumber, customerName, documentType, expectedPages: pages, date: context.now?.() });
  return { fileName: `Deckblatt-${customerNumber.replace(/[^\p{L}\p{N}_-]+/gu, '_')}.pdf`, pdf, customerNumber, customerName, documentType };
}
