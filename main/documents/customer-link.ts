/**
 * The customer directory as assignment needs it: does this customer exist, and mark them recently
 * used (so they come first in the next search at the desk).
 */
import type { Station } from '../station.js';

export interface CustomerLookup {
  exists(id: string): boolean;
  markUsed(id: string): void;
}

export function customerLookup(station: Station): CustomerLookup {
  return {
    exists: (id) => station.customers.get(id) !== null,
    markUsed: (id) => {
      station.customers.markUsed(id);
    },
  };
}
