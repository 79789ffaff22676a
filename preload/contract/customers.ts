/** The local customer directory: search as you type, import, sync. */
export const customerOperations = {};
