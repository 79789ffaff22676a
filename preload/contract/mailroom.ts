/** Mailroom: batch review, separator and cover sheets. */
export const mailroomOperations = {};
