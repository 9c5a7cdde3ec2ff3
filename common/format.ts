/**
 * Human formatting for sizes, rates, money, time, and the one parser for sizes: the CLI, the
 * core and the dashboard all print through these. Sizes use decimal units like OS file managers.
 */

const SIZE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
const RATE_UNITS = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];

/**
 * A value in steps of 1000 (B, kB, MB… or bit/s, kbit/s…), the one rule for sizes and rates: the
 * unit is chosen after rounding, so 999,950 bytes read "1.0 MB", never "1000 kB".
 * `digits(unit, value)` says how many decimals a value gets in a unit.
 */
function scaled(
  value: number,
  units: readonly string[],
  digits: (unit: number, v: number) => number,
): string {
  const { value: v, decimals, unit } = scaledParts(value, units, digits);
  return `${formatNumber(v, decimals)} ${unit}`;
}

/** The number, its decimals and its unit that `scaled` writes (in the user's locale). */
function scaledParts(
  value: number,
  units: readonly string[],
  digits: (unit: number, v: number) => number,
): { value: number; decimals: number; unit: string } {
  let v = Math.max(0, value);
  let unit = 0;
  const decimalsOf = (x: number): number => {
    // Decimals by the rounded value: 9.996 is "10", not "10.0".
    const text = x.toFixed(digits(unit, x));
    return digits(unit, Number(text));
  };
  const rounded = (x: number): number => Number(x.toFixed(decimalsOf(x)));
  while (rounded(v) >= 1000 && unit < units.length - 1) {
    v /= 1000;
    unit++;
  }
  return { value: rounded(v), decimals: decimalsOf(v), unit: units[unit] as string };
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/**
 * A number in the user's locale ("1.5", "1,5"), with exactly `decimals` decimals, or at most that
 * many with `trim` (trailing zeros dropped: "2", "1.5").
 */
export function formatNumber(value: number, decimals = 0, trim = false): string {
  const key = `${decimals}:${trim}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(undefined, {
      minimumFractionDigits: trim ? 0 : decimals,
      maximumFractionDigits: decimals,
    });
    numberFormats.set(key, format);
  }
  return format.format(value);
}

export function formatBytes(bytes: number | null | undefined, digits = 1): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  return scaled(bytes, SIZE_UNITS, (unit, v) => (unit === 0 ? 0 : v >= 100 ? 0 : digits));
}

/** Rates in bits per second, as carriers and link speeds are quoted: "950 kbit/s", "1.0 Mbit/s". */
export function formatRate(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond === null || bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond)) return '—';
  return scaled(bytesPerSecond * 8, RATE_UNITS, (unit, v) =>
    unit === 0 ? 0 : unit >= 3 ? 2 : v < 10 ? 1 : 0,
  );
}

/** A link's speed as the OS reports it (Mbit/s): "100 Mbit/s", "2.50 Gbit/s". */
export function formatLinkSpeed(mbps: number | null | undefined): string {
  if (mbps === null || mbps === undefined || !Number.isFinite(mbps)) return '—';
  return formatRate((mbps * 1e6) / 8);
}

/**
 * Ticks of a rate axis drawn in bits per second, all in the unit of the axis' top (`scale`) so
 * they read alike and never repeat: "0", "2.5 Mbit/s", "5 Mbit/s"; with `unit: false` the number
 * alone (the unit said once elsewhere).
 */
export function formatRateTick(bits: number, scale: number, unit = true): string {
  const power = scale >= 1e9 ? 3 : scale >= 1e6 ? 2 : scale >= 1e3 ? 1 : 0;
  const value = bits / 1000 ** power;
  if (value === 0) return '0';
  const text = formatNumber(value, value < 10 && value % 1 !== 0 ? 2 : 1, true);
  return unit ? `${text} ${RATE_UNITS[power]}` : text;
}

/** Axis ticks: at most one decimal, trailing zeros dropped ("1.5 GB", "750 MB", "2 GB"). */
export function formatBytesShort(bytes: number): string {
  const { value, unit } = scaledParts(bytes, SIZE_UNITS, (_unit, v) => (v >= 100 ? 0 : 1));
  return `${formatNumber(value, 1, true)} ${unit}`;
}

export function formatMoney(amount: number | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return '—';
  // No currency means the path has no priced plan: there is no cost to show.
  if (!currency) return '—';
  const code = currency;
  if (/^[A-Z]{3}$/.test(code)) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: code }).format(amount);
    } catch {
      // An unknown ISO-looking code falls through to the plain form.
    }
  }
  return `${formatNumber(amount, 2)}${code ? ` ${code}` : ''}`;
}

export function formatPercent(fraction: number | null | undefined, digits = 0): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return new Intl.NumberFormat(undefined, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(fraction);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60 ? `${s % 60} s` : ''}`.trim();
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60 ? `${m % 60} min` : ''}`.trim();
}

/** A countdown as a clock, h:mm:ss ("0:00:42", "1:02:03"): an ETA, rounded up to the second. */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const total = Math.ceil(seconds);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${Math.floor(total / 3600)}:${two(Math.floor(total / 60) % 60)}:${two(total % 60)}`;
}

export function formatEnergy(wh: number | null | undefined): string {
  if (wh === null || wh === undefined || !Number.isFinite(wh)) return '—';
  if (wh < 1) return `${formatNumber(wh * 1000, wh < 0.01 ? 1 : 0)} mWh`;
  return `${formatNumber(wh, wh < 10 ? 2 : 1)} Wh`;
}

/*
 * Dates and times, one style everywhere, through Intl in the user's locale: a day is "Jan 1", with
 * its year when that is not this year ("Jan 1, 2027"); a span of days names its first and last day
 * ("Dec 1 – Dec 31"); a time of day is the locale's clock ("3:05 PM", "15:05").
 */

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, options);
    dateFormats.set(key, format);
  }
  return format;
}

function sameYear(at: Date, now: number): boolean {
  return at.getFullYear() === new Date(now).getFullYear();
}

/** A time of day: "3:05:09 PM" (`seconds`), "3:05 PM". */
export function formatTime(at: number, seconds = true): string {
  return dateFormat(seconds ? 'hms' : 'hm', {
    hour: 'numeric',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  }).format(at);
}

/** A day: "Jan 1" this year, "Jan 1, 2027" another year. */
export function formatDate(at: number | string, now: number = Date.now()): string {
  const date = new Date(at);
  return sameYear(date, now)
    ? dateFormat('md', { month: 'short', day: 'numeric' }).format(date)
    : formatDay(date.getTime());
}

/** A day with its year, always ("Jan 1, 2027"): for text that is kept, such as an alert's. */
export function formatDay(at: number | string): string {
  return dateFormat('ymd', { month: 'short', day: 'numeric', year: 'numeric' }).format(new Date(at));
}

/** A span of days from `start` to `end` (exclusive: the next span's first midnight): "Dec 1 – Dec 31". */
export function formatDays(start: number | string, end: number | string, now: number = Date.now()): string {
  const last = new Date(end).getTime() - 1;
  return `${formatDate(start, now)} – ${formatDate(last, now)}`;
}

/** A month: "March 2026". */
export function formatMonth(at: number | string): string {
  return dateFormat('my', { month: 'long', year: 'numeric' }).format(new Date(at));
}

/** A day and its time: "Jan 1, 3:05 PM" ("Jan 1, 2027, 3:05 PM" another year). */
export function formatDateTime(at: number, now: number = Date.now()): string {
  const date = new Date(at);
  const options: Intl.DateTimeFormatOptions = {
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  };
  return sameYear(date, now)
    ? dateFormat('mdhm', options).format(date)
    : dateFormat('ymdhm', { ...options, year: 'numeric' }).format(date);
}

/** "just now", "5 min ago", "3 h ago", else a date. */
export function formatAgo(at: number, now: number = Date.now()): string {
  const diff = Math.max(0, now - at);
  if (diff < 45_000) return 'just now';
  if (diff < 3_600_000) return `${Math.round(diff / 60_000)} min ago`;
  if (diff < 86_400_000) return `${Math.round(diff / 3_600_000)} h ago`;
  return formatDateTime(at);
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Parses sizes as people write them: 5000, 10M, 1.5GB, 500KiB (decimal units, binary with "i"). */
export function parseByteSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return null;
  const unit = UNITS[(match[2] ?? '').toLowerCase()];
  if (unit === undefined) return null;
  const value = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(value) ? value : null;
}

/**
 * Parses rates as people write them, into bytes per second: "1MB/s", "500kB/s" (bytes), "8Mbit/s",
 * "8Mbps", "2 Mb/s" (bits: a lowercase b, or "bit"). Null when it isn't a positive rate.
 */
export function parseRate(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?)?(b|bit|bits|byte|bytes)?(\/s|ps)\s*$/i.exec(text);
  if (!match) return null;
  const [, number, prefix = '', unit = 'B'] = match;
  const bits = unit === 'b' || unit.toLowerCase().startsWith('bit');
  const bytes = parseByteSize(`${number}${prefix}${prefix ? 'B' : ''}`);
  if (bytes === null || bytes <= 0) return null;
  return bits ? bytes / 8 : bytes;
}
