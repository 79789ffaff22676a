/**
 * Finds the customer a barcode or cover sheet names in the local directory (station.customers):
 * by customer number, else by BG number when exactly one person has it. Not found is an answer,
 * never an error: the document then goes to review with the number shown.
 */
export interface FoundCustomer {
  id: string;
  customerNumber: string;
}

export type CustomerLookup = (number: string) => FoundCustomer | null;

/** The directory's own rule (main/customers/directory.ts findByNumber); a failing lookup counts as not found. */
export function directoryLookup(directory: { findByNumber(number: string): FoundCustomer | null }): CustomerLookup {
  return (number) => {
    try {
      const found = directory.findByNumber(number);
      return found ? { id: found.id, customerNumber: found.customerNumber } : null;
    } catch {
      return null;
    }
  };
}
