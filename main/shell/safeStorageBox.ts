import { safeStorage } from 'electron';
import type { SecretBox } from '../base/secretBox.ts';

type SafeStorage = Pick<
  typeof safeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'
>;

/** What each platform's safeStorage rests on, for the words when it is missing. */
const STORE: Partial<Record<NodeJS.Platform, string>> = {
  darwin: 'the macOS Keychain',
  win32: "Windows' data protection (DPAPI)",
  linux: 'a keyring (GNOME Keyring or KWallet)',
};

/**
 * The sync passwords' SecretBox for the desktop app: Electron's safeStorage (the macOS
 * Keychain, DPAPI on Windows, the Secret Service or KWallet on Linux). Where it protects nothing —
 * not available, or Linux's `basic_text` backend, which seals with a key written in Chromium's
 * source — `unavailable()` says why, and the core keeps the password in a 0600 file and says so in
 * the job's view (main/sync/jobSecrets.ts). The asynchronous calls (Electron 45 deprecates the
 * synchronous ones); a password sealed by `encryptString` before opens with `decryptStringAsync`.
 */
export function safeStorageBox(storage: SafeStorage = safeStorage, platform = process.platform): SecretBox {
  return {
    async unavailable() {
      const store = STORE[platform] ?? "the system's secret store";
      if (!(await storage.isAsyncEncryptionAvailable())) return `${store} is not available to Pathwise`;
      if (platform !== 'linux') return null;
      const backend = storage.getSelectedStorageBackend();
      if (backend === 'basic_text')
        return `no keyring (GNOME Keyring or KWallet) was found for this desktop, and Electron's fallback (basic_text) only obscures a password with a fixed key`;
      if (backend === 'unknown') return 'the keyring is not known before the app is ready';
      return null;
    },
    encrypt: (plain) => storage.encryptStringAsync(plain),
    async decrypt(sealed) {
      const { result, shouldReEncrypt } = await storage.decryptStringAsync(sealed);
      return { plain: result, reseal: shouldReEncrypt };
    },
  };
}
