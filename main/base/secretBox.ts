/**
 * Encryption a shell lends the core for secrets at rest (the desktop app: Electron's
 * safeStorage, backed by the OS keychain, DPAPI or a Linux keyring). The core never imports it:
 * `createPathwise({ secrets })` passes it in, and the command line has none.
 */
export interface SecretBox {
  /** null: secrets sealed here are protected; else why not, in words a user can act on. */
  unavailable(): string | null;
  /** Seals a secret; only this user's login on this machine can open it again. */
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}
