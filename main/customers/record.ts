/**
 * One customer as it enters the directory, from a CSV row or the sync server: checked and brought
 * into one form (numbers with their spaces normalised, names trimmed, birth date ISO).
 */
import { parseBirthDate } from './dates.js';
import { normaliseSpaces, numberKey } from './fold.js';

export const customerSources = ['csv', 'sync'] as const;
export type CustomerSource = (typeof customerSources)[number];

/** What a source says about a customer, as text fields (missing = undefined or empty). */
export interface RawCustomer {
  customerNumber?: string | undefined;
  bgNumber?: string | undefined;
  familyName?: string | undefined;
  givenNames?: string | undefined;
  /** "Nachname, Vorname" or "Vorname Nachname" when a source has only one name column. */
  fullName?: string | undefined;
  birthDate?: string | undefined;
  street?: string | undefined;
  postalCode?: string | undefined;
  city?: string | undefined;
}

export interface CustomerFields {
  customerNumber: string;
  bgNumber: string | null;
  familyName: string;
  givenNames: string;
  birthDate: string | null;
  street: string | null;
  postalCode: string | null;
  city: string | null;
}

/** Why a row or record was not taken: a stable code (the UI words it), its values, and an English message for logs and the CLI. */
export interface RowProblem {
  code: string;
  message: string;
  params?: Record<string, string | number>;
}

export type CheckedCustomer = { ok: true; customer: CustomerFields } | ({ ok: false } & RowProblem);

const MAX_NUMBER = 40;
const MAX_NAME = 200;
const MAX_ADDRESS = 200;

const text = (value: string | undefined): string => normaliseSpaces(value ?? '');
const optional = (value: string | undefined): string | null => text(value) || null;

/** Splits a one-column name: "Müller, Hans" is family name first; "Hans Müller" has it last. */
export function splitFullName(full: string): { familyName: string; givenNames: string } {
  const value = text(full);
  const comma = value.indexOf(',');
  if (comma >= 0) return { familyName: value.slice(0, comma).trim(), givenNames: value.slice(comma + 1).trim() };
  const words = value.split(' ');
  if (words.length === 1) return { familyName: value, givenNames: '' };
  // Particles belong to the family name: "Anna von der Heide".
  let start = words.length - 1;
  while (start > 1 && /^(von|vom|van|der|den|de|zu|zum|zur|ten|ter|di|da|del|la|le)$/i.test(words[start - 1]!)) start--;
  return { familyName: words.slice(start).join(' '), givenNames: words.slice(0, start).join(' ') };
}

export function checkCustomer(raw: RawCustomer, today = new Date()): CheckedCustomer {
  const customerNumber = text(raw.customerNumber);
  if (!customerNumber) return { ok: false, code: 'customer_number_missing', message: 'customer number (Kundennummer) is missing' };
  if (customerNumber.length > MAX_NUMBER || numberKey(customerNumber).length === 0) {
    return { ok: false, code: 'customer_number_invalid', message: 'customer number (Kundennummer) is not a number: it needs letters or digits, at most 40 characters' };
  }
  const bgNumber = optional(raw.bgNumber);
  if (bgNumber && (bgNumber.length > MAX_NUMBER || numberKey(bgNumber).length === 0)) {
    return { ok: false, code: 'bg_number_invalid', message: 'BG number (BG-Nummer) is not a number: it needs letters or digits, at most 40 characters' };
  }
  let familyName = text(raw.familyName);
  let givenNames = text(raw.givenNames);
  if (!familyName && raw.fullName) {
    const split = splitFullName(raw.fullName);
    familyName = split.familyName;
    givenNames = givenNames || split.givenNames;
  }
  if (!familyName) return { ok: false, code: 'family_name_missing', message: 'family name (Nachname) is missing' };
  if (familyName.length > MAX_NAME || givenNames.length > MAX_NAME) return { ok: false, code: 'name_too_long', params: { max: MAX_NAME }, message: `a name is longer than ${MAX_NAME} characters` };
  let birthDate: string | null = null;
  const birthText = text(raw.birthDate);
  if (birthText) {
    const parsed = parseBirthDate(birthText, today);
    if (!parsed.ok) return { ok: false, code: parsed.code, params: { value: parsed.value }, message: `birth date (Geburtsdatum): ${parsed.message}` };
    birthDate = parsed.iso;
  }
  const street = optional(raw.street);
  const postalCode = optional(raw.postalCode);
  const city = optional(raw.city);
  if ([street, postalCode, city].some((v) => v && v.length > MAX_ADDRESS)) return { ok: false, code: 'address_too_long', params: { max: MAX_ADDRESS }, message: `an address field is longer than ${MAX_ADDRESS} characters` };
  return { ok: true, customer: { customerNumber, bgNumber, familyName, givenNames, birthDate, street, postalCode, city } };
}

/** The display name staff know: "Nachname, Vorname". */
export function displayName(familyName: string, givenNames: string): string {
  return givenNames ? `${familyName}, ${givenNames}` : familyName;
}
