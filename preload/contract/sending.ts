/** Sending: the upload queue, retries, pause and resume, connectivity. */
export const sendingOperations = {};
