/**
 * Barcode rules: regular expressions with named groups that turn a barcode's content into a
 * customer number, a document type and an expected page count. Configured per station
 * (`mailroom.barcodeRules`); checked when the configuration loads, so a bad pattern is reported
 * with its field and never reaches a batch.
 */
import { z } from 'zod';
import { barcodeFormatSchema, type Barcode, type BarcodeFormatName } from './formats.js';

/** Group names a pattern may use; the long names are accepted as aliases. */
const GROUPS = {
  customerNumber: ['customer', 'customerNumber'],
  documentType: ['type', 'documentType'],
  expectedPages: ['pages', 'expectedPages'],
} as const;
const ALL_GROUP_NAMES: readonly string[] = Object.values(GROUPS).flat();

/** Flags that keep `exec` stateless: no g or y. */
const ALLOWED_FLAGS = /^[imsu]*$/;

export const barcodeRuleSchema = z
  .object({
    name: z.string().min(1).max(80),
    /** A JavaScript regular expression with named groups: customer, type, pages. */
    pattern: z.string().min(1).max(1000),
    flags: z.string().max(4).regex(ALLOWED_FLAGS, 'only the flags i, m, s and u are allowed').default(''),
    /** Only barcodes of these formats; all when missing. */
    formats: z.array(barcodeFormatSchema).min(1).optional(),
    /** 'percent': the groups are percent-escaped (the station's own payload) and unescaped here. */
    decode: z.enum(['none', 'percent']).default('none'),
  })
  .strict()
  .superRefine((rule, context) => {
    let regex: RegExp;
    try {
      regex = new RegExp(rule.pattern, ALLOWED_FLAGS.test(rule.flags) ? rule.flags : '');
    } catch (error) {
      context.addIssue({ code: 'custom', path: ['pattern'], message: `not a valid regular expression: ${(error as Error).message}` });
      return;
    }
    const names = namedGroupsOf(regex);
    if (!names.some((name) => ALL_GROUP_NAMES.includes(name))) {
      context.addIssue({
        code: 'custom',
        path: ['pattern'],
        message: `needs at least one named group: (?<customer>…), (?<type>…) or (?<pages>…)${names.length ? ` (found: ${names.join(', ')})` : ''}`,
      });
    }
  });

export type BarcodeRuleConfig = z.input<typeof barcodeRuleSchema>;
export type BarcodeRule = z.output<typeof barcodeRuleSchema>;

/**
 * The station's own rules. `station-cover` reads the cover sheet's QR (sheets/payload.ts);
 * `bg-number` finds a Bedarfsgemeinschaft number (5 digits, BG, 7 digits) in any code;
 * `customer-label` reads labels like "KDNR 123A456789" printed as Code 128 or Code 39.
 */
export const defaultBarcodeRules: BarcodeRuleConfig[] = [
  {
    name: 'station-cover',
    pattern: '^IS1\\|COVER\\|(?<customer>[^|]+)\\|(?<type>[^|]*)\\|(?<pages>\\d*)$',
    formats: ['QRCode', 'DataMatrix'],
    decode: 'percent',
  },
  { name: 'bg-number', pattern: '(?<customer>\\b\\d{5}BG\\d{7}\\b)' },
  { name: 'customer-label', pattern: '^KDNR[ :]?(?<customer>[0-9A-Z]{6,20})$', flags: 'i', formats: ['Code128', 'Code39'] },
];

export interface CompiledBarcodeRule {
  name: string;
  regex: RegExp;
  formats: ReadonlySet<BarcodeFormatName> | null;
  decode: 'none' | 'percent';
}

export interface RuleMatch {
  rule: string;
  /** Index of the barcode in the page's list. */
  barcodeIndex: number;
  customerNumber: string | null;
  documentType: string | null;
  expectedPages: number | null;
}

/** Parses (if needed) and compiles rules; throws a zod error naming the rule's field when one is bad. */
export function compileBarcodeRules(rules: readonly BarcodeRuleConfig[] = defaultBarcodeRules): CompiledBarcodeRule[] {
  return z
    .array(barcodeRuleSchema)
    .parse(rules)
    .map((rule) => ({
      name: rule.name,
      regex: new RegExp(rule.pattern, rule.flags),
      formats: rule.formats ? new Set(rule.formats) : null,
      decode: rule.decode,
    }));
}

/** The first matching rule for each barcode, in barcode order. */
export function applyBarcodeRules(barcodes: readonly Pick<Barcode, 'format' | 'text'>[], rules: readonly CompiledBarcodeRule[]): RuleMatch[] {
  const matches: RuleMatch[] = [];
  barcodes.forEach((barcode, barcodeIndex) => {
    for (const rule of rules) {
      if (rule.formats && !rule.formats.has(barcode.format)) continue;
      const match = rule.regex.exec(barcode.text);
      if (!match?.groups) continue;
      const group = (names: readonly string[]) => {
        for (const name of names) {
          const value = match.groups![name];
          if (value !== undefined && value !== '') return rule.decode === 'percent' ? percentDecode(value) : value;
        }
        return null;
      };
      const customerNumber = group(GROUPS.customerNumber)?.trim() || null;
      const documentType = group(GROUPS.documentType)?.trim() || null;
      const pagesText = group(GROUPS.expectedPages);
      const pages = pagesText && /^\d{1,4}$/.test(pagesText.trim()) ? Number(pagesText.trim()) : null;
      const expectedPages = pages && pages > 0 ? pages : null;
      // A rule that matched but yielded nothing (all groups empty) tells us nothing: try the next.
      if (!customerNumber && !documentType && !expectedPages) continue;
      matches.push({ rule: rule.name, barcodeIndex, customerNumber, documentType, expectedPages });
      break;
    }
  });
  return matches;
}

function namedGroupsOf(regex: RegExp): string[] {
  // Matching the empty string against an alternation with the pattern exposes its group names.
  const probe = new RegExp(`${regex.source}|`, regex.flags).exec('');
  return probe?.groups ? Object.keys(probe.groups) : [];
}

function percentDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
