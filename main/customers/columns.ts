/**
 * Which CSV column holds which field: header names as German and English exports write them,
 * compared loosely (case, umlauts, spaces, dots and dashes do not matter: "BG-Nr.", "bg nr", "BGNr"),
 * plus a site's own names from the configuration (customers.csvColumns).
 */
import { foldText } from './fold.js';
import type { RawCustomer } from './record.js';

export const customerFieldNames = ['customerNumber', 'bgNumber', 'familyName', 'givenNames', 'fullName', 'birthDate', 'street', 'postalCode', 'city'] as const;
export type CustomerFieldName = (typeof customerFieldNames)[number];

const KNOWN: Record<CustomerFieldName, string[]> = {
  customerNumber: ['Kundennummer', 'Kunden-Nr', 'Kundennr', 'KdNr', 'Kd-Nr', 'Kunden-ID', 'Kundenkennung', 'customer number', 'customer no', 'customer_number', 'customerNumber', 'customer id', 'customerId'],
  bgNumber: ['BG-Nummer', 'BG-Nr', 'BG', 'BG-Kennung', 'Bedarfsgemeinschaft', 'Bedarfsgemeinschaftsnummer', 'Nummer der BG', 'bg number', 'bg_number', 'bgNumber', 'household number', 'community number'],
  familyName: ['Nachname', 'Familienname', 'Zuname', 'surname', 'last name', 'lastName', 'family name', 'familyName', 'family_name', 'last_name'],
  givenNames: ['Vorname', 'Vornamen', 'Rufname', 'first name', 'firstName', 'first_name', 'given name', 'given names', 'givenName', 'givenNames', 'given_names', 'forename'],
  fullName: ['Name', 'Vollständiger Name', 'Kundenname', 'full name', 'fullName', 'customer name'],
  birthDate: ['Geburtsdatum', 'Geb-Datum', 'Geb.-Datum', 'Geb.datum', 'GebDat', 'Geb', 'geboren', 'geboren am', 'date of birth', 'birth date', 'birthdate', 'birthDate', 'birth_date', 'dob'],
  street: ['Straße', 'Strasse', 'Str', 'Straße und Hausnummer', 'Anschrift', 'Adresse', 'street', 'address', 'street address'],
  postalCode: ['PLZ', 'Postleitzahl', 'postcode', 'postal code', 'postalCode', 'postal_code', 'zip', 'zip code'],
  city: ['Ort', 'Wohnort', 'Stadt', 'Gemeinde', 'city', 'town'],
};

/** "BG-Nr." -> "bgnr", "Straße" -> "strase": the header as compared. */
export function headerKey(header: string): string {
  return foldText(header).replace(/[^\p{L}\p{N}]+/gu, '');
}

export interface ColumnMap {
  /** Column index per field found. */
  columns: Partial<Record<CustomerFieldName, number>>;
  /** Headers that name no field (ignored). */
  unknown: string[];
}

export class ColumnMapError extends Error {
  override name = 'ColumnMapError';
}

/**
 * Maps a header row. `extra` maps a site's own header names to fields and wins over the built-in names.
 * "Name" beside "Vorname" is the family name; alone it is the full name.
 */
export function mapColumns(headers: string[], extra: Record<string, CustomerFieldName> = {}): ColumnMap {
  const lookup = new Map<string, CustomerFieldName>();
  for (const [field, names] of Object.entries(KNOWN) as [CustomerFieldName, string[]][]) {
    for (const name of names) lookup.set(headerKey(name), field);
  }
  for (const [name, field] of Object.entries(extra)) lookup.set(headerKey(name), field);
  const columns: Partial<Record<CustomerFieldName, number>> = {};
  const unknown: string[] = [];
  headers.forEach((header, index) => {
    const field = lookup.get(headerKey(header));
    if (!field) {
      if (header.trim()) unknown.push(header.trim());
      return;
    }
    if (columns[field] !== undefined) throw new ColumnMapError(`The header names the field "${field}" twice (columns ${columns[field]! + 1} and ${index + 1}).`);
    columns[field] = index;
  });
  if (columns.fullName !== undefined && columns.familyName === undefined && columns.givenNames !== undefined) {
    columns.familyName = columns.fullName;
    delete columns.fullName;
  }
  if (columns.customerNumber === undefined) {
    throw new ColumnMapError(`No column holds the customer number (looked for Kundennummer, Kunden-Nr, customer number, …). The header has: ${headers.map((h) => h.trim()).join(', ').slice(0, 300)}.`);
  }
  if (columns.familyName === undefined && columns.fullName === undefined) {
    throw new ColumnMapError(`No column holds the name (looked for Nachname, Name, surname, …). The header has: ${headers.map((h) => h.trim()).join(', ').slice(0, 300)}.`);
  }
  return { columns, unknown };
}

export function rawCustomerFrom(fields: string[], map: ColumnMap): RawCustomer {
  const raw: RawCustomer = {};
  for (const [field, index] of Object.entries(map.columns) as [CustomerFieldName, number][]) raw[field] = fields[index];
  return raw;
}
