/**
 * The command line's one table: every command, its arguments and options. The overview and each
 * command's help (help.ts), the option parser (args.ts) and the shell completions (completion.ts)
 * are all written from it, so none of them can name an option the others don't know.
 *
 * Plain data, no zod: main.ts loads it for every command, `get` included. The value lists below
 * repeat the contract's enums; test/cli/commands.test.ts checks they still match.
 */

/** What a shell may offer for a value: files, folders, this machine's interfaces, or nothing. */
export type Completion = 'file' | 'dir' | 'interface' | 'command' | 'none';

export interface OptionSpec {
  long: string;
  short?: string;
  /** The value's placeholder in the help (FILE, SIZE…); none: a switch. */
  value?: string;
  /** The values it takes, when they are a fixed list (offered by completion). */
  choices?: readonly string[];
  complete?: Completion;
  /** May be given more than once. */
  multiple?: boolean;
  /** A switch that is on unless `--no-<long>`. */
  negatable?: boolean;
  help: string;
}

export interface ArgSpec {
  name: string;
  choices?: readonly string[];
  complete?: Completion;
  optional?: boolean;
}

export interface CommandSpec {
  name: string;
  args: readonly ArgSpec[];
  /** The usage line after "pathwise <name> "; written from args and options when absent. */
  synopsis: string;
  /** One line in the overview. */
  summary: string;
  /** The command's own help: what it does, before the options. */
  about: string;
  options: readonly OptionSpec[];
  /** After the options: what else a user should know. */
  notes?: string;
}

export const PREFERENCES = ['always', 'secondary', 'backup', 'never'] as const;
export const PATH_TYPES = [
  'ethernet',
  'wifi',
  'cellular',
  'tether',
  'vpn',
  'loopback',
  'virtual',
  'unknown',
] as const;
export const MODES = ['aggregate', 'handover', 'interactive'] as const;
export const AT_CAP = ['stop', 'rate-limit', 'allow'] as const;
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

const DATA_DIR: OptionSpec = {
  long: 'data-dir',
  value: 'DIR',
  complete: 'dir',
  help: 'where settings and the ledger live (or PATHWISE_DATA_DIR)',
};
const JSON_OUT: OptionSpec = { long: 'json', help: 'print JSON instead of text' };
const PATH_ARG: ArgSpec = { name: 'PATH', complete: 'interface' };

const GET: CommandSpec = {
  name: 'get',
  args: [{ name: 'URL', complete: 'none' }],
  synopsis: 'URL [MIRROR…] | FILE.meta4  [-o FILE] [options]',
  summary: 'download over several paths at once (resumable)',
  about:
    'Downloads URL over several network paths at once; re-running the same command resumes. More URLs of the same file are mirrors: its ranges are spread over them on every path, each checked to serve the same file (size, and validators where comparable), a failing one left behind. A Metalink file (RFC 5854, .meta4) gives the mirrors and their priorities, the name, the SHA-256 and piece hashes, as aria2 reads it.',
  options: [
    {
      long: 'output',
      short: 'o',
      value: 'FILE',
      complete: 'file',
      help: 'where to save; a folder (or a name ending in /) saves in it under a safe name from the server (default: that name, in this folder)',
    },
    {
      long: 'paths',
      value: 'A,B',
      complete: 'interface',
      help: 'use exactly these interfaces, in order (the first is the primary in handover mode); NAME=ADDRESS binds a path to a given source address',
    },
    {
      long: 'mode',
      value: 'MODE',
      choices: MODES,
      help: 'how the paths share the download: aggregate (all at once, the default), handover (one, the next when it fails) or interactive (the quickest to answer)',
    },
    {
      long: 'cap',
      value: 'PATH=SIZE',
      multiple: true,
      help: 'spend at most SIZE on PATH (e.g. wwan0=50M); repeatable',
    },
    { long: 'sha256', value: 'HEX', help: 'the expected SHA-256; the file is kept only if it matches' },
    { long: 'connections', value: 'N', help: 'connections per path (default 2)' },
    {
      long: 'header',
      short: 'H',
      value: 'LINE',
      multiple: true,
      help: 'send "Name: value" with every request; repeatable (Authorization and Cookie go only to the URL\'s own site, never after a redirect to another)',
    },
    {
      long: 'user',
      short: 'u',
      value: 'USER',
      help: "log in as USER (HTTP Basic), only on the URL's own site; the password from --password-file or PATHWISE_PASSWORD (USER:PASSWORD works too, but ps shows it to others)",
    },
    {
      long: 'password-file',
      value: 'FILE',
      complete: 'file',
      help: "the password for --user: FILE's first line",
    },
    {
      long: 'load-cookies',
      value: 'FILE',
      complete: 'file',
      help: 'send the cookies of FILE (Netscape format, as curl, wget and aria2 write it) where their domain, path and expiry allow',
    },
    {
      long: 'select-file',
      value: 'NAME|N',
      help: "which file of a Metalink that lists several: its name, or its number from 1 (aria2's --select-file counts the same)",
    },
    {
      long: 'metalink',
      negatable: true,
      help: 'a URL ending .meta4 or .metalink, or whose server answers with Content-Type application/metalink4+xml, is a Metalink (version 4 only): fetch it, then the file it describes from its mirrors; --no-metalink downloads the document itself',
    },
    {
      long: 'netrc',
      negatable: true,
      help: "without --user, the login for the URL's host from ~/.netrc (or $NETRC), as curl reads it; --no-netrc skips it",
    },
    {
      long: 'quiet',
      short: 'q',
      help: 'no progress and no notices: only errors (and, with --json, the final status line)',
    },
    { long: 'json', help: 'JSON lines of progress and events, and a final status line' },
    {
      long: 'detach',
      help: 'leave the download to the running app and print its id ("pathwise transfers" follows it)',
    },
    DATA_DIR,
  ],
  notes:
    'With the app (or "pathwise serve") running, the download runs in it: one engine and one ledger, its alerts as notifications; this command follows it and prints the same. Ctrl-C pauses it either way. Headers, logins and cookies are never stored, printed or put in --json: a download resumed later needs them given again.',
};

const INTERFACES: CommandSpec = {
  name: 'interfaces',
  args: [],
  synopsis: '[--json] [--no-probe]',
  summary: "list this machine's network paths with their health",
  about:
    "Lists this machine's network paths: type, state, metered, health, round trip, link speed, addresses.",
  options: [
    JSON_OUT,
    {
      long: 'probe',
      negatable: true,
      help: "probe each path's health (one short attempt); --no-probe skips it",
    },
    DATA_DIR,
  ],
};

const WATCH: CommandSpec = {
  name: 'watch',
  args: [],
  synopsis: '[--json]',
  summary: 'print path events as they happen (JSON lines with --json)',
  about:
    "Prints a line for every path that exists, then one for each change, until interrupted. With the app running these are its events (its downloads' stalls included); when it stops, the watch goes on by itself.",
  options: [{ long: 'json', help: 'one JSON object a line' }, DATA_DIR],
};

const USAGE: CommandSpec = {
  name: 'usage',
  args: [],
  synopsis: '[--json] [--days|--months|--cycles] [--export csv|json] [options]',
  summary: 'this billing cycle per path: bytes, cap, cost, forecast, energy; or its history',
  about: 'Without options: this billing cycle per path: bytes, cap, cost, forecast, energy.',
  options: [
    JSON_OUT,
    { long: 'days', help: 'history: the last 30 days per path' },
    { long: 'months', help: 'history: the last 12 calendar months per path' },
    { long: 'cycles', help: 'history: the last 6 billing cycles per path' },
    {
      long: 'export',
      value: 'FORMAT',
      choices: ['csv', 'json'],
      help: 'the history as CSV or JSON (with --days, --months or --cycles; days if none)',
    },
    {
      long: 'correct',
      value: 'PATH=SIZE',
      help: "set this cycle's count to your carrier's figure, e.g. wwan0=3.2GB (stored as an adjustment; later traffic adds to it)",
    },
    {
      long: 'reset',
      value: 'PATH',
      complete: 'interface',
      help: "start this cycle's count on PATH from zero",
    },
    DATA_DIR,
  ],
  notes: '"~" marks bytes counted for a time Pathwise was closed: their day is an estimate.',
};

const PREFER: CommandSpec = {
  name: 'prefer',
  args: [PATH_ARG, { name: 'PREFERENCE', choices: PREFERENCES }],
  synopsis: 'PATH always|secondary|backup|never [--json]',
  summary: 'how much a path carries: always, secondary, backup or never',
  about:
    'Sets how much PATH carries, as the dashboard does: always (whenever it is up), secondary (with the always paths, ranked after them), backup (only when no always or secondary path is usable) or never. A running app applies it at once.',
  options: [JSON_OUT, DATA_DIR],
};

const PLAN: CommandSpec = {
  name: 'plan',
  args: [PATH_ARG],
  synopsis: 'PATH [--cap SIZE] [--cycle-day N|--rolling|--prepaid DATE] [--remove] [options]',
  summary: "a path's data plan: cap, billing cycle, prices, what happens at the cap",
  about:
    "Without options: shows PATH's data plan. With options: sets them, keeping the plan's other values (a new plan starts with no cap, monthly from day 1, no prices, USD, stop at the cap). A running app applies it at once.",
  options: [
    { long: 'cap', value: 'SIZE', help: 'the allowance per cycle, e.g. 10GB; "none" for no cap' },
    {
      long: 'cycle-day',
      value: 'N',
      help: 'monthly, resetting on day N (1-31; 31 is the last day of every month)',
    },
    { long: 'rolling', help: 'a sliding window: always the last 30 days' },
    { long: 'prepaid', value: 'DATE', help: 'prepaid 30-day periods from the activation day YYYY-MM-DD' },
    { long: 'price', value: 'X', help: 'price per GB within the cap' },
    { long: 'overage-price', value: 'X', help: 'price per GB over the cap' },
    { long: 'fee', value: 'X', help: 'a fixed fee per cycle; "none" for no fee' },
    { long: 'currency', value: 'CODE', help: 'currency of the prices, e.g. EUR' },
    {
      long: 'at-cap',
      value: 'ACTION',
      choices: AT_CAP,
      help: 'at the cap: stop downloads, rate-limit them, or allow',
    },
    {
      long: 'rate',
      value: 'RATE',
      help: 'the rate at the cap with --at-cap rate-limit, e.g. 1MB/s or 8Mbit/s',
    },
    { long: 'remove', help: "remove PATH's plan" },
    JSON_OUT,
    DATA_DIR,
  ],
};

const OVERRIDE: CommandSpec = {
  name: 'override',
  args: [PATH_ARG],
  synopsis: 'PATH [--type TYPE] [--metered yes|no|auto] [--json]',
  summary: 'correct what Pathwise detected about a path: its type, metered or not',
  about:
    "Without options: shows PATH's override. --type and --metered set what Pathwise detected wrongly; auto gives it back to detection (both auto: no override). A running app applies it at once.",
  options: [
    {
      long: 'type',
      value: 'TYPE',
      choices: [...PATH_TYPES, 'auto'],
      help: `${PATH_TYPES.join(' | ')} | auto`,
    },
    {
      long: 'metered',
      value: 'yes|no|auto',
      choices: ['yes', 'no', 'auto'],
      help: 'whether its traffic is paid for by the byte',
    },
    JSON_OUT,
    DATA_DIR,
  ],
};

const ALERTS: CommandSpec = {
  name: 'alerts',
  args: [],
  synopsis: '[--unread] [--read-all] [--json]',
  summary: 'the alerts the dashboard shows: caps, forecasts, unexpected use, downloads',
  about: 'Lists the alerts, newest first.',
  options: [
    { long: 'unread', help: 'only the unread ones' },
    { long: 'read-all', help: 'mark every unread alert read (after listing what was asked for)' },
    JSON_OUT,
    DATA_DIR,
  ],
};

export const TRANSFER_ACTIONS = ['list', 'pause', 'resume', 'cancel'] as const;

const TRANSFERS: CommandSpec = {
  name: 'transfers',
  args: [
    { name: 'ACTION', choices: TRANSFER_ACTIONS, optional: true },
    { name: 'ID', complete: 'none', optional: true },
  ],
  synopsis: '[list|pause|resume|cancel ID] [--json]',
  summary: "the running app's downloads: list them, pause, resume or cancel one",
  about:
    'Lists the running app\'s downloads (the dashboard\'s and those "pathwise get" handed to it), or pauses, resumes or cancels the one whose ID (or a unique beginning of it) is given. Needs the app or "pathwise serve" running.',
  options: [JSON_OUT, DATA_DIR],
};

const SERVE: CommandSpec = {
  name: 'serve',
  args: [],
  synopsis: '[--host 127.0.0.1] [--port N] [--allow-remote]',
  summary: 'serve the dashboard to a browser (token-protected)',
  about: 'Serves the dashboard over HTTP and WebSocket to a browser, and prints its URL with a token.',
  options: [
    { long: 'host', value: 'ADDRESS', help: 'the address to listen on (default 127.0.0.1)' },
    { long: 'port', value: 'N', help: 'the port (default: any free one)' },
    {
      long: 'allow-remote',
      help: 'allow a --host other machines can reach (the token is then all that guards the dashboard)',
    },
    DATA_DIR,
  ],
};

const COMPLETION: CommandSpec = {
  name: 'completion',
  args: [{ name: 'SHELL', choices: SHELLS }],
  synopsis: 'bash|zsh|fish',
  summary: 'print a shell completion script',
  about: 'Prints a completion script for the shell: commands, their options and option values.',
  options: [],
  notes: `Install it, e.g.:
  bash: pathwise completion bash > ~/.local/share/bash-completion/completions/pathwise
  zsh:  pathwise completion zsh > "\${fpath[1]}/_pathwise"
  fish: pathwise completion fish > ~/.config/fish/completions/pathwise.fish`,
};

export const SYNC_ACTIONS = ['add', 'list', 'run', 'pause', 'resume', 'edit', 'remove', 'status'] as const;

const SYNC: CommandSpec = {
  name: 'sync',
  args: [
    { name: 'ACTION', choices: SYNC_ACTIONS },
    { name: 'NAME', complete: 'none', optional: true },
  ],
  synopsis: 'add|list|run|pause|resume|edit|remove|status [NAME] [options]',
  summary: 'two-way folder syncs with WebDAV servers, under a network policy',
  about:
    'Keeps a local folder and a WebDAV folder (Nextcloud, ownCloud, Apache, rclone) in step both ways. add NAME --local DIR --remote URL sets a job up, edit NAME changes any of its options (another folder starts its journal afresh: the next run deletes nothing); run NAME syncs until both sides agree (exit 0) or names the cause; list, status NAME, pause NAME, resume NAME and remove NAME (the folders are not touched).',
  options: [
    { long: 'local', value: 'DIR', complete: 'dir', help: 'add, edit: the local folder' },
    {
      long: 'remote',
      value: 'URL',
      help: 'add, edit: the WebDAV folder, e.g. https://cloud.example/remote.php/dav/files/me/Docs/',
    },
    { long: 'user', value: 'USER', help: 'add, edit: the login name' },
    {
      long: 'password-file',
      value: 'FILE',
      complete: 'file',
      help: 'add, edit: a file holding the password or app token (read at each run, never copied)',
    },
    {
      long: 'password-env',
      value: 'VAR',
      help: 'add, edit: an environment variable holding the password (read at each run)',
    },
    {
      long: 'every',
      value: 'DURATION',
      help: 'add, edit: run every DURATION in the app, e.g. 15m or 1h (default; edit: off for by hand)',
    },
    {
      long: 'on-path-change',
      negatable: true,
      help: 'add, edit: also run in the app when the paths it may use change',
    },
    {
      long: 'battery-min',
      value: 'PERCENT',
      help: 'add, edit: on battery below PERCENT the app does not start it on its schedule (edit: off)',
    },
    {
      long: 'policy',
      value: 'POLICY',
      help: 'add, edit: unmetered (never a metered path, the default), cellular:SIZE (metered paths too, up to SIZE a billing cycle) or any',
    },
    {
      long: 'paths',
      value: 'A,B',
      complete: 'interface',
      help: "add, edit: use only these interfaces (edit: off for the policy's)",
    },
    { long: 'rate', value: 'RATE', help: "add, edit: the job's rate limit, e.g. 2MB/s (edit: off)" },
    {
      long: 'max-delete',
      value: 'PERCENT',
      help: 'add, edit: a run deleting more than this share of the files stops and asks (default 50)',
    },
    {
      long: 'keep-days',
      value: 'N',
      help: 'add, edit: keep replaced and deleted files this many days (default 30)',
    },
    { long: 'force', help: 'run: the deletions past --max-delete are meant' },
    JSON_OUT,
    DATA_DIR,
  ],
  notes:
    'Replaced and deleted files are kept in .pathwise-sync/trash/ (local) and .pathwise-trash/ (server). A file changed on both sides keeps both: the local one as "NAME (conflict local TIME).EXT". The password is never printed or put in --json; the command line never stores it (a password typed into the desktop app is kept sealed by the system keyring, which only the app can open).',
};

const HELP: CommandSpec = {
  name: 'help',
  args: [{ name: 'COMMAND', complete: 'command', optional: true }],
  synopsis: '[COMMAND]',
  summary: "this overview, or a command's own help",
  about: "Prints the overview, or COMMAND's own help (the same as pathwise COMMAND --help).",
  options: [],
};

export const COMMANDS: readonly CommandSpec[] = [
  GET,
  INTERFACES,
  WATCH,
  USAGE,
  PREFER,
  PLAN,
  OVERRIDE,
  ALERTS,
  TRANSFERS,
  SERVE,
  SYNC,
  COMPLETION,
  HELP,
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** Every command has these, besides its own. */
export const HELP_OPTION: OptionSpec = { long: 'help', short: 'h', help: "show this command's help" };
