/**
 * The one error the decode step throws for a file it will not process. `code` is for the
 * program (quarantine reason, UI text key), `message` is plain English for staff and admins and
 * names what was found, so nobody has to open the file to learn why it was refused.
 */
export type BadInputCode =
  | 'empty'
  | 'unknown_format'
  | 'svg'
  | 'text_or_office'
  | 'truncated'
  | 'corrupt'
  | 'too_large'
  | 'too_small'
  | 'pdf_encrypted'
  | 'pdf_broken'
  | 'pdf_no_pages'
  | 'vanished'
  | 'unreadable';

export class BadInputError extends Error {
  readonly code: BadInputCode;

  constructor(code: BadInputCode, message: string) {
    super(message);
    this.name = 'BadInputError';
    this.code = code;
  }
}

export function isBadInputError(error: unknown): error is BadInputError {
  return error instanceof BadInputError;
}

/** The first line of a library's error, without its stack: enough to name the defect. */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // libvips prefixes its loader's name ("VipsJpeg: "): staff need the defect, not the module.
  return text.split('\n')[0].trim().replace(/^Vips\w*: /, '').replace(/\.$/, '');
}
