import { safeStorage } from 'electron';
import type { SecretBox } from '../base/secretBox.ts';

type SafeStorage = Pick<
  typeof safeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
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
 * the job's view (main/sync/jobSecrets.ts). The synchronous calls: the core opens a password as a
 * run starts, and Electron 45 still offers them beside the asynchronous ones.
 */
export function safeStorageBox(storage: SafeStorage = safeStorage, platform = process.platform): SecretBox {
  return {
    unavailable() {
      const store = STORE[platform] ?? "the system's secret store";
      if (!storage.isEncryptionAvailable()) return `${store} is not available to Pathwise`;
      if (platform !== 'linux') return null;
      const backend = storage.getSelectedStorageBackend();
      if (backend === 'basic_text')
        return `no keyring (GNOME Keyring or KWallet) was found for this desktop, and Electron's fallback (basic_text) only obscures a password with a fixed key`;
      if (backend === 'unknown') return 'the keyring is not known before the app is ready';
      return null;
    },
    encrypt: (plain) => storage.encryptString(plain),
    decrypt: (sealed) => storage.decryptString(sealed),
  };
}
