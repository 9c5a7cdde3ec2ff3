import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { SettingsSchema, type Settings, type SettingsPatch } from '../../common/settingsContract.ts';
import { writeFileAtomic } from '../base/atomicWrite.ts';
import { defaultDownloadDir } from '../base/dataDir.ts';
import { PathwiseError } from '../../common/errors.ts';

export const DEFAULT_PROBE_URL = 'http://connectivitycheck.gstatic.com/generate_204';

export function defaultSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    preferences: {},
    overrides: {},
    plans: {},
    capThresholds: [0.75, 1],
    probeUrl: env['PATHWISE_PROBE_URL'] ?? DEFAULT_PROBE_URL,
    probeIntervalMs: 30_000,
    downloadDir: defaultDownloadDir(env),
    notifications: true,
    launchAtLogin: false,
  };
}

interface SettingsEvents {
  change: [Settings];
  /** A settings file that could not be read was moved aside; the message says where. */
  warning: [string];
}

/**
 * Preferences, plans and options in `settings.json`, validated on every read and write. A file
 * that doesn't parse or validate is moved aside (never silently dropped) and defaults are used.
 */
export class SettingsStore extends EventEmitter<SettingsEvents> {
  readonly file: string;
  private current: Settings;
  private writing: Promise<void> = Promise.resolve();

  private constructor(file: string, initial: Settings) {
    super();
    this.file = file;
    this.current = initial;
  }

  static async open(
    dataDir: string,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<{ store: SettingsStore; warning?: string }> {
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, 'settings.json');
    const defaults = defaultSettings(env);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) return { store: new SettingsStore(file, defaults) };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    // Missing keys (older files) take their defaults; present keys must be valid.
    const result = SettingsSchema.safeParse(
      parsed && typeof parsed === 'object' ? { ...defaults, ...parsed } : undefined,
    );
    if (result.success) return { store: new SettingsStore(file, result.data) };
    const aside = `${file}.corrupt-${Date.now()}`;
    await rename(file, aside);
    const warning = `Your settings file could not be read and was moved to ${aside}; Pathwise started with default settings.`;
    return { store: new SettingsStore(file, defaults), warning };
  }

  get(): Settings {
    return this.current;
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    const result = SettingsSchema.safeParse({ ...this.current, ...patch });
    if (!result.success) {
      throw new PathwiseError(
        'E_BAD_SETTINGS',
        `Those settings are not valid: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    this.current = result.data;
    const snapshot = JSON.stringify(this.current, null, 2);
    // Serialise writes so an older snapshot can never land after a newer one.
    this.writing = this.writing.catch(() => undefined).then(() => writeFileAtomic(this.file, snapshot));
    await this.writing;
    this.emit('change', this.current);
    return this.current;
  }
}
