import type { Settings } from '../../common/settingsContract.ts';
import type { SettingsStore } from '../core/SettingsStore.ts';
import { commandUsage, oneOf, type ParsedArgs } from './args.ts';
import { PATH_TYPES, PREFERENCES, type CommandSpec } from './commands.ts';
import { openSettings } from './interfaces.ts';
import type { CliIo } from './io.ts';

type Override = Settings['overrides'][string];

/** An interface's name as the settings store it (and as `pathwise interfaces` shows it). */
export function pathName(command: string, name: string): string {
  if (!/^[\w.:@-]{1,64}$/.test(name)) {
    throw commandUsage(command, `"${name}" is not an interface name ("pathwise interfaces" lists them).`);
  }
  return name;
}

/**
 * `pathwise prefer` and `pathwise override`: the dashboard's path settings, written to the data
 * home's settings.json through the same SettingsStore; a running app follows the file and applies
 * them at once.
 */
export async function runSettingsCommand(spec: CommandSpec, args: ParsedArgs, io: CliIo): Promise<number> {
  const path = pathName(spec.name, args.positionals[0] as string);
  // The values are checked before the settings are opened: a mistake changes nothing.
  const change = spec.name === 'prefer' ? preferenceChange(args) : overrideChange(args);
  const settings = await openSettings(args.string('data-dir'), io);
  const json = args.flag('json') ?? false;
  if (spec.name === 'prefer') return prefer(settings, path, change as Preference, json, io);
  return override(settings, path, change as OverrideChange | null, json, io);
}

type Preference = (typeof PREFERENCES)[number];

function preferenceChange(args: ParsedArgs): Preference {
  return oneOf('prefer', 'The preference', args.positionals[1] as string, PREFERENCES);
}

async function prefer(
  settings: SettingsStore,
  path: string,
  preference: Preference,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const next = await settings.update({ preferences: { ...settings.get().preferences, [path]: preference } });
  io.stdout.write(
    json
      ? `${JSON.stringify({ path, preference, preferences: next.preferences })}\n`
      : `${path}: ${preference}. ${PREFERENCE_MEANING[preference]}\n`,
  );
  return 0;
}

const PREFERENCE_MEANING: Record<Preference, string> = {
  always: 'It carries downloads whenever it is up.',
  secondary: 'It carries downloads with the "always" paths, ranked after them.',
  backup: 'It carries downloads only when no "always" or "secondary" path is usable.',
  never: 'It carries no downloads.',
};

/** What `override` changes: each field set, cleared (auto) or left (undefined). Null: only show. */
interface OverrideChange {
  type?: Override['type'] | 'auto';
  metered?: boolean | 'auto';
}

function overrideChange(args: ParsedArgs): OverrideChange | null {
  if (!args.given('type', 'metered')) return null;
  const change: OverrideChange = {};
  const type = args.string('type');
  if (type !== undefined) change.type = oneOf('override', '--type', type, [...PATH_TYPES, 'auto'] as const);
  const metered = args.string('metered');
  if (metered !== undefined) {
    const word = oneOf('override', '--metered', metered, ['yes', 'no', 'auto'] as const);
    change.metered = word === 'auto' ? 'auto' : word === 'yes';
  }
  return change;
}

async function override(
  settings: SettingsStore,
  path: string,
  change: OverrideChange | null,
  json: boolean,
  io: CliIo,
): Promise<number> {
  let current: Override | undefined = settings.get().overrides[path];
  if (change) {
    const next: Override = { ...current };
    if (change.type === 'auto') delete next.type;
    else if (change.type !== undefined) next.type = change.type;
    if (change.metered === 'auto') delete next.metered;
    else if (change.metered !== undefined) next.metered = change.metered;
    const overrides = { ...settings.get().overrides };
    // An override with nothing in it gives the path back to detection (as the dashboard does).
    if (next.type === undefined && next.metered === undefined) delete overrides[path];
    else overrides[path] = next;
    current = (await settings.update({ overrides })).overrides[path];
  }
  io.stdout.write(
    json ? `${JSON.stringify({ path, override: current ?? null })}\n` : overrideText(path, current),
  );
  return 0;
}

function overrideText(path: string, value: Override | undefined): string {
  if (!value) return `${path}: no override; its type and metered flag are as detected.\n`;
  const parts = [
    value.type === undefined ? 'type as detected' : `type ${value.type}`,
    value.metered === undefined ? 'metered as detected' : value.metered ? 'metered' : 'not metered',
  ];
  return `${path}: ${parts.join(', ')}.\n`;
}
