/**
 * A small fake of the `electron` module so shell code runs under plain Node (the real module
 * tries to download the Electron binary when required outside Electron). Each fake records what
 * the shell asked of it, so tests assert on the real calls main/index.ts makes.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What Electron does when a renderer calls ipcRenderer.invoke. */
  async invokeFrom(sender: unknown, frameUrl: string, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ sender, senderFrame: { url: frameUrl } }, ...args);
  }
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  permissionHandler: ((wc: unknown, permission: string, callback: (ok: boolean) => void) => void) | undefined;
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  destroyed = false;
  readonly session = {
    setPermissionRequestHandler: (handler: FakeWebContents['permissionHandler']) => {
      this.permissionHandler = handler;
    },
  };
  setWindowOpenHandler(handler: FakeWebContents['windowOpenHandler']): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeApp extends EventEmitter {
  readonly paths: Record<string, string> = { userData: '/tmp/pathwise-fake-user-data' };
  singleInstance = true;
  quitCalls = 0;
  exitCode: number | undefined;
  loginItem = { openAtLogin: false };
  readonly loginItemCalls: unknown[] = [];
  getPath(name: string): string {
    const value = this.paths[name];
    if (!value) throw new Error(`no fake path ${name}`);
    return value;
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstance;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  quit(): void {
    this.quitCalls++;
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
  getLoginItemSettings(): { openAtLogin: boolean; wasOpenedAtLogin: boolean } {
    return { ...this.loginItem, wasOpenedAtLogin: false };
  }
  appUserModelId: string | undefined;
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  getAppPath(): string {
    return '/tmp/pathwise-fake-app';
  }
  setLoginItemSettings(settings: { openAtLogin: boolean }): void {
    this.loginItemCalls.push(settings);
    this.loginItem = { openAtLogin: settings.openAtLogin };
  }
}

export class BrowserWindow extends EventEmitter {
  static readonly instances: BrowserWindow[] = [];
  readonly options: Record<string, unknown>;
  readonly webContents = new FakeWebContents();
  loaded: { file?: string; url?: string; options?: unknown } = {};
  shown = false;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    BrowserWindow.instances.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadFile(file: string, options?: unknown): Promise<void> {
    this.loaded = { file, options };
  }
  async loadURL(url: string): Promise<void> {
    this.loaded = { url };
  }
  show(): void {
    this.shown = true;
  }
  readonly progress: Array<{ progress: number; options?: unknown }> = [];
  setProgressBar(progress: number, options?: unknown): void {
    this.progress.push({ progress, options });
  }
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.webContents.destroyed;
  }
}

export class FakeImage {
  readonly representations: Array<{ scaleFactor: number; buffer: Buffer }> = [];
  template = false;
  addRepresentation(rep: { scaleFactor: number; buffer: Buffer }): void {
    this.representations.push(rep);
  }
  setTemplateImage(value: boolean): void {
    this.template = value;
  }
  isTemplateImage(): boolean {
    return this.template;
  }
}

export const nativeImage = {
  createEmpty: () => new FakeImage(),
};

export const Menu = {
  buildFromTemplate: (template: unknown[]) => ({ template }),
};

export class Tray extends EventEmitter {
  static readonly instances: Tray[] = [];
  image: FakeImage;
  tooltip = '';
  menu: { template: Array<Record<string, unknown>> } | undefined;
  menuBuilds = 0;
  destroyed = false;
  constructor(image: FakeImage) {
    super();
    this.image = image;
    Tray.instances.push(this);
  }
  setImage(image: FakeImage): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: { template: Array<Record<string, unknown>> }): void {
    this.menu = menu;
    this.menuBuilds++;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class Notification extends EventEmitter {
  static supported = true;
  static readonly shown: Notification[] = [];
  readonly options: { title: string; body: string; urgency?: string };
  constructor(options: { title: string; body: string; urgency?: string }) {
    super();
    this.options = options;
  }
  static isSupported(): boolean {
    return Notification.supported;
  }
  show(): void {
    Notification.shown.push(this);
  }
}

/** The keep-awake blockers the shell holds: id → type, while held. */
export const powerSaveBlocker = {
  held: new Map<number, string>(),
  next: 1,
  start(type: string): number {
    const id = powerSaveBlocker.next++;
    powerSaveBlocker.held.set(id, type);
    return id;
  },
  stop(id: number): void {
    powerSaveBlocker.held.delete(id);
  },
};

/** The OS dialogs: what the shell asked, and the answer a test scripts. */
export const dialog = {
  asked: [] as unknown[],
  answer: { canceled: true, filePaths: [] as string[] },
  async showOpenDialog(...args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> {
    dialog.asked.push(args.at(-1));
    return dialog.answer;
  },
};

/**
 * safeStorage: seals with a key of this process (AES-GCM), so what it returns never holds the
 * text; a test takes the keyring away (`available`), picks Linux's backend (`backend`), or
 * rotates the key (`rotate()`: what the old key sealed still opens, with `shouldReEncrypt`). The
 * synchronous calls (deprecated in Electron 45) seal the same way, as Electron's do.
 */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as string,
  keys: [randomBytes(32)],
  /** How many times each call was made, so a test sees the deprecated ones go unused. */
  calls: new Map<string, number>(),
  rotate(): void {
    safeStorage.keys.push(randomBytes(32));
  },
  count(name: string): void {
    safeStorage.calls.set(name, (safeStorage.calls.get(name) ?? 0) + 1);
  },
  seal(plain: string): Buffer {
    if (!safeStorage.available) throw new Error('Encryption is not available.');
    const version = safeStorage.keys.length - 1;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', safeStorage.keys[version]!, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([version]), iv, cipher.getAuthTag(), body]);
  },
  unseal(sealed: Buffer): { result: string; shouldReEncrypt: boolean } {
    if (!safeStorage.available) throw new Error('Decryption is not available.');
    const version = sealed[0] ?? 0;
    const key = safeStorage.keys[version];
    if (!key) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
    decipher.setAuthTag(sealed.subarray(13, 29));
    const result = Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
    return { result, shouldReEncrypt: version < safeStorage.keys.length - 1 };
  },
  isEncryptionAvailable: (): boolean => (safeStorage.count('isEncryptionAvailable'), safeStorage.available),
  getSelectedStorageBackend: (): string => safeStorage.backend,
  encryptString: (plain: string): Buffer => (safeStorage.count('encryptString'), safeStorage.seal(plain)),
  decryptString: (sealed: Buffer): string => (
    safeStorage.count('decryptString'),
    safeStorage.unseal(sealed).result
  ),
  isAsyncEncryptionAvailable: async (): Promise<boolean> => safeStorage.available,
  encryptStringAsync: async (plain: string): Promise<Buffer> => safeStorage.seal(plain),
  decryptStringAsync: async (sealed: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> =>
    safeStorage.unseal(sealed),
};

export const ipcMain = new FakeIpcMain();
export const app = new FakeApp();
export const shell = {
  opened: [] as string[],
  revealed: [] as string[],
  openExternal: async (url: string) => void shell.opened.push(url),
  showItemInFolder: (path: string) => void shell.revealed.push(path),
};

/** The preload side: what contextBridge exposed, and a renderer-side ipc that records calls. */
export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld: (key: string, api: unknown) => void contextBridge.exposed.set(key, api),
};
export const ipcRenderer = Object.assign(new EventEmitter(), {
  invoked: [] as Array<{ channel: string; args: unknown[] }>,
  reply: (async () => undefined) as (channel: string, ...args: unknown[]) => Promise<unknown>,
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    ipcRenderer.invoked.push({ channel, args });
    return ipcRenderer.reply(channel, ...args);
  },
});

export default {
  ipcMain,
  app,
  shell,
  BrowserWindow,
  nativeImage,
  Menu,
  Tray,
  Notification,
  contextBridge,
  ipcRenderer,
  powerSaveBlocker,
  dialog,
  safeStorage,
};
