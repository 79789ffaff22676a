/** Time as the store records it: ISO text for people, milliseconds for comparisons. */
export const nowIso = (): string => new Date().toISOString();
export const nowMs = (): number => Date.now();
