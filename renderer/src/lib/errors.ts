/** The stable code carried by errors from either transport (preload IPC or the host's socket). */
export function errorCode(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string')
    return error.code;
  return 'E_INTERNAL';
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A channel the running core does not provide (its part of Pathwise is missing or failed to start). */
export function isUnavailable(error: unknown): boolean {
  return errorCode(error) === 'E_UNAVAILABLE';
}
