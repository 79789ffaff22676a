/**
 * The customer directory as assignment needs it: does this customer exist, and mark them recently
 * used. The directory (main/customers) is reached through `station.customers` when the station has
 * one; without a directory the id cannot be checked and is taken as given.
 */
import type { Station } from '../station.js';
import { nowIso } from '../store/clock.js';

export interface CustomerLookup {
  /** Whether the directory can be asked at all. */
  readonly available: boolean;
  exists(id: string): boolean;
  markUsed(id: string): void;
}

interface DirectoryShape {
  get?(id: string): unknown;
  markUsed?(id: string, now: string): unknown;
  /** A service may keep its repository one level down. */
  repository?: DirectoryShape;
}

function directoryOf(station: Station): DirectoryShape | null {
  const candidate = (station as unknown as { customers?: DirectoryShape }).customers;
  if (!candidate || typeof candidate !== 'object') return null;
  if (typeof candidate.get === 'function') return candidate;
  if (candidate.repository && typeof candidate.repository.get === 'function') return candidate.repository;
  return null;
}

export function customerLookup(station: Station): CustomerLookup {
  const directory = directoryOf(station);
  if (!directory) return { available: false, exists: () => true, markUsed: () => undefined };
  return {
    available: true,
    exists: (id) => directory.get!(id) != null,
    markUsed: (id) => {
      directory.markUsed?.(id, nowIso());
    },
  };
}
