/**
 * Errors a handler throws on purpose: a stable code the UI can branch on and a message staff can
 * read. Anything else that escapes a handler is a station fault and is reported without its details.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new ApiError('not_found', `${what} ${id} does not exist (any more).`);
export const conflict = (message: string) => new ApiError('conflict', message);
