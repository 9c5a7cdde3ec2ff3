import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { SettingsSchema, type Settings, type SettingsPatch } from '../../common/settingsContract.ts';
import { writeFileAtomic } from '../base/atomicWrite.ts';
import { defaultDownloadDir } from '../base/dataDir.ts';
import { watchFile } from '../base/watchFile.ts';
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
  /** Something the user should know: a hand-edited file that was refused, a watch that failed. */
  warning: [string];
}

/** The settings a file's text holds (missing keys, from older files, take their defaults), or what is wrong. */
function parseSettings(text: string, defaults: Settings): { data: Settings } | { issues: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { issues: error instanceof Error ? error.message : String(error) };
  }
  const result = SettingsSchema.safeParse(
    parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? { ...defaults, ...parsed } : undefined,
  );
  if (result.success) return { data: result.data };
  return {
    issues: result.error.issues.map((i) => `${i.path.join('.') || 'the file'}: ${i.message}`).join('; '),
  };
}

/**
 * Preferences, plans and options in `settings.json`, validated on every read and write. A file
 * that doesn't parse or validate at start is moved aside (never silently dropped) and defaults are
 * used. While `watch`ing, a change another process writes (the CLI's `pathwise prefer`, a hand
 * edit) is read, validated and emitted like the store's own changes; an invalid one is refused.
 */
export class SettingsStore extends EventEmitter<SettingsEvents> {
  readonly file: string;
  private current: Settings;
  private readonly defaults: Settings;
  /** The file's text as this store last read or wrote it: an event for it is our own write. */
  private known: string | undefined;
  /** Reads and writes one at a time, so an older snapshot never lands after a newer one. */
  private queue: Promise<unknown> = Promise.resolve();
  private stopWatching: (() => void) | undefined;

  private constructor(file: string, initial: Settings, defaults: Settings, known?: string) {
    super();
    this.file = file;
    this.current = initial;
    this.defaults = defaults;
    this.known = known;
  }

  static async open(
    dataDir: string,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<{ store: SettingsStore; warning?: string }> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, 'settings.json');
    const defaults = defaultSettings(env);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) return { store: new SettingsStore(file, defaults, defaults) };
    const parsed = parseSettings(text, defaults);
    if ('data' in parsed) return { store: new SettingsStore(file, parsed.data, defaults, text) };
    const aside = `${file}.corrupt-${Date.now()}`;
    await rename(file, aside);
    const warning = `Your settings file could not be read and was moved to ${aside}; Pathwise started with default settings.`;
    return { store: new SettingsStore(file, defaults, defaults), warning };
  }

  get(): Settings {
    return this.current;
  }

  /** Follows `settings.json` as other processes write it (see `reload`) until `unwatch`. */
  watch(): void {
    if (this.stopWatching) return;
    this.stopWatching = watchFile(this.file, () => void this.reload(), {
      onError: (error) =>
        this.emit(
          'warning',
          `Changes to ${this.file} made outside this Pathwise are not followed (${error.message}); they apply at its next start.`,
        ),
    });
  }

  unwatch(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  /**
   * Reads `settings.json` again: valid settings another process wrote replace the ones in use and
   * are emitted as a change; an invalid file is refused with a warning and the settings are kept.
   */
  async reload(): Promise<void> {
    try {
      if (await this.serial(() => this.readExternal())) this.emit('change', this.current);
    } catch (error) {
      this.emit(
        'warning',
        `${this.file} could not be read again: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    const value = await this.serial(async () => {
      // What another process wrote since is the base the patch applies to, not what it undoes.
      await this.readExternal();
      const result = SettingsSchema.safeParse({ ...this.current, ...patch });
      if (!result.success) {
        throw new PathwiseError(
          'E_BAD_SETTINGS',
          `Those settings are not valid: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      this.current = result.data;
      const snapshot = JSON.stringify(this.current, null, 2);
      this.known = snapshot;
      await writeFileAtomic(this.file, snapshot);
      return this.current;
    });
    this.emit('change', value);
    return value;
  }

  /** True when the file holds valid settings other than the ones in use, which it now are. */
  private async readExternal(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      // Removed by hand: the settings in use stay, and the next change writes them back.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    if (text === this.known) return false;
    this.known = text;
    const parsed = parseSettings(text, this.defaults);
    if (!('data' in parsed)) {
      this.emit(
        'warning',
        `${this.file} was changed outside Pathwise but does not hold valid settings (${parsed.issues}); the settings in use are kept.`,
      );
      return false;
    }
    if (JSON.stringify(parsed.data) === JSON.stringify(this.current)) return false;
    this.current = parsed.data;
    return true;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.catch(() => undefined).then(work);
    this.queue = run;
    return run;
  }
}
