/**
 * Errors a user can meet carry a stable code (for scripts, tests and the UI) and a message that
 * says what happened and what to do.
 */
export class PathwiseError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PathwiseError';
    this.code = code;
  }
}

export function errorCode(error: unknown): string {
  if (error instanceof PathwiseError) return error.code;
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return 'E_INTERNAL';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
