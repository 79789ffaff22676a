/**
 * The selected entry of a list that the station may change under it (new scans on top, a document
 * moving on): kept as the entry's id, its row worked out while rendering. So the highlighted entry
 * is always the one Enter acts on, never whatever now sits at the old row number. When the entry
 * leaves the list, the selection stays at its row (the next one moves up into it).
 */
import { useState } from 'react';

export interface ListSelection<T> {
  /** The row of the selected entry (0 for an empty list). */
  index: number;
  /** The selected entry as drawn, or undefined for an empty list. */
  item: T | undefined;
  /** Selects the entry at row `to` (clamped to the list); returns the row. */
  select: (to: number) => number;
}

/** Selections kept while the app runs, by the key a list was given (coming back to it finds them). */
const remembered = new Map<string, { id: string | null; index: number }>();

/** `rememberAs`: keep the selection under this key for when the list is shown again (e.g. back from a document). */
export function useListSelection<T>(items: readonly T[], idOf: (item: T) => string, rememberAs?: string): ListSelection<T> {
  const [selection, setSelectionState] = useState<{ id: string | null; index: number }>(() => (rememberAs && remembered.get(rememberAs)) || { id: null, index: 0 });
  const setSelection = (next: { id: string | null; index: number }) => {
    if (rememberAs) remembered.set(rememberAs, next);
    setSelectionState(next);
  };
  const found = selection.id === null ? -1 : items.findIndex((item) => idOf(item) === selection.id);
  const index = items.length === 0 ? 0 : Math.max(0, Math.min(items.length - 1, found >= 0 ? found : selection.index));
  const select = (to: number) => {
    const next = Math.max(0, Math.min(items.length - 1, to));
    const item = items[next];
    setSelection({ id: item === undefined ? null : idOf(item), index: next });
    return next;
  };
  return { index, item: items[index], select };
}
