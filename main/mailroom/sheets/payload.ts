/**
 * The station's own QR payload, versioned so a later station can still read old sheets:
 *   IS1|SEP                                               a separator sheet
 *   IS1|COVER|<customerNumber>|<documentType>|<pages>     a cover sheet (empty field = none)
 * Fields are percent-escaped for "|" and "%" (and, as UTF-8, for anything beyond Latin-1, which a QR
 * code holds without an ECI marker), so ordinary values, umlauts included, stay readable to a
 * person with a phone and to simple regex rules (rules.ts, default rule `station-cover`).
 */

export const PAYLOAD_VERSION = 'IS1';

export interface CoverPayload {
  customerNumber: string;
  documentType: string | null;
  expectedPages: number | null;
}

export type StationPayload = { kind: 'separator' } | ({ kind: 'cover' } & CoverPayload);

export function formatSeparatorPayload(): string {
  return `${PAYLOAD_VERSION}|SEP`;
}

export function formatCoverPayload(cover: { customerNumber: string; documentType?: string | null; expectedPages?: number | null }): string {
  const customer = cover.customerNumber.trim();
  if (!customer) throw new Error('A cover sheet needs a customer number.');
  const pages = cover.expectedPages ?? null;
  if (pages !== null && (!Number.isInteger(pages) || pages < 1 || pages > 9999)) throw new Error('The expected page count must be a whole number from 1 to 9999.');
  return [PAYLOAD_VERSION, 'COVER', escapeField(customer), escapeField(cover.documentType?.trim() ?? ''), pages === null ? '' : String(pages)].join('|');
}

/** The payload in a barcode's text, or null when it is not one of the station's own. */
export function parseStationPayload(text: string): StationPayload | null {
  const fields = text.trim().split('|');
  if (fields[0] !== PAYLOAD_VERSION) return null;
  if (fields[1] === 'SEP' && fields.length === 2) return { kind: 'separator' };
  if (fields[1] === 'COVER' && fields.length === 5) {
    const customerNumber = unescapeField(fields[2]).trim();
    if (!customerNumber) return null;
    const documentType = unescapeField(fields[3]).trim() || null;
    if (fields[4] !== '' && !/^\d{1,4}$/.test(fields[4])) return null;
    const pages = fields[4] === '' ? null : Number(fields[4]);
    return { kind: 'cover', customerNumber, documentType, expectedPages: pages && pages > 0 ? pages : null };
  }
  return null;
}

function escapeField(value: string): string {
  return value.replace(/%/g, '%25').replace(/\|/g, '%7C').replace(/[^\u0000-\u00ff]/gu, (char) => encodeURIComponent(char));
}

function unescapeField(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    // Not ours (a stray "%"): only the two escapes every writer uses.
    return value.replace(/%7C/gi, '|').replace(/%25/g, '%');
  }
}
