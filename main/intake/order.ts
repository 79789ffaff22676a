/** Natural name order as people expect it: scan_2 before scan_10, case and accents aside. */
const collator = new Intl.Collator('de', { numeric: true, sensitivity: 'base' });

export function compareNames(a: string, b: string): number {
  return collator.compare(a, b);
}
