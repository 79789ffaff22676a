/** Quarantine: bad input kept byte for byte, with its reason; retry or discard. */
export const quarantineOperations = {};
