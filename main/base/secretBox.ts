/**
 * Encryption a shell lends the core for secrets at rest (the desktop app: Electron's
 * safeStorage, backed by the OS keychain, DPAPI or a Linux keyring). The core never imports it:
 * `createPathwise({ secrets })` passes it in, and the command line has none. Asynchronous, as
 * Electron's own calls are (its synchronous ones are deprecated since Electron 45).
 */
export interface SecretBox {
  /** null: secrets sealed here are protected; else why not, in words a user can act on. */
  unavailable(): Promise<string | null>;
  /** Seals a secret; only this user's login on this machine can open it again. */
  encrypt(plain: string): Promise<Buffer>;
  /**
   * Opens a sealed secret. `reseal`: the store's key was rotated (or a stronger one is there):
   * seal the secret again and keep the new seal.
   */
  decrypt(sealed: Buffer): Promise<OpenedSecret>;
}

export interface OpenedSecret {
  plain: string;
  reseal: boolean;
}
