import { formatBytes, formatMoney, formatRate, parseByteSize, parseRate } from '../../common/format.ts';
import { PlanSchema, type Plan } from '../../common/settingsContract.ts';
import { localDate } from '../ledger/calendar.ts';
import { commandUsage, oneOf, type ParsedArgs } from './args.ts';
import { AT_CAP } from './commands.ts';
import { openSettings } from './interfaces.ts';
import type { CliIo } from './io.ts';
import { pathName } from './settingsCommands.ts';

/** A plan nobody has described yet, as the dashboard's "Add plan" starts it. */
const NEW_PLAN: Plan = {
  capBytes: null,
  cycle: { kind: 'monthly', startDay: 1 },
  pricePerGb: 0,
  overagePricePerGb: 0,
  atCap: 'stop',
  rateLimitBps: null,
  currency: 'USD',
};

const PLAN_OPTIONS = [
  'cap',
  'cycle-day',
  'rolling',
  'prepaid',
  'price',
  'overage-price',
  'fee',
  'currency',
  'at-cap',
  'rate',
] as const;

const usage = (message: string): Error => commandUsage('plan', message);

/**
 * `pathwise plan PATH`: shows, sets or removes a path's data plan in the data home's settings,
 * checked as the dashboard's plan editor checks it; a running app follows the file.
 */
export async function runPlan(args: ParsedArgs, io: CliIo): Promise<number> {
  const path = pathName('plan', args.positionals[0] as string);
  const changing = args.given(...PLAN_OPTIONS);
  if (args.flag('remove') && changing) throw usage('--remove takes no other plan options.');
  const settings = await openSettings(args.string('data-dir'), io);
  const plans = { ...settings.get().plans };
  const before = plans[path];
  let plan = before;
  let said: string;
  if (args.flag('remove')) {
    delete plans[path];
    if (before) await settings.update({ plans });
    plan = undefined;
    said = before ? `${path}: plan removed.\n` : `${path} had no plan.\n`;
  } else if (changing) {
    plan = applyOptions(before ?? NEW_PLAN, args, before !== undefined);
    await settings.update({ plans: { ...plans, [path]: plan } });
    said = planText(path, plan);
  } else {
    said = plan
      ? planText(path, plan)
      : `${path} has no plan. Set one, e.g.: pathwise plan ${path} --cap 10GB --cycle-day 1\n`;
  }
  io.stdout.write(args.flag('json') ? `${JSON.stringify({ path, plan: plan ?? null })}\n` : said);
  return 0;
}

/** The plan with the options given applied; the others keep the plan's values. */
export function applyOptions(base: Plan, args: ParsedArgs, existing: boolean): Plan {
  const plan: Plan = { ...base, cycle: cycleFrom(args, base.cycle, existing) };
  const cap = args.string('cap');
  if (cap !== undefined) plan.capBytes = cap === 'none' ? null : size(cap);
  const price = args.string('price');
  if (price !== undefined) plan.pricePerGb = amount('--price', price);
  const overage = args.string('overage-price');
  if (overage !== undefined) plan.overagePricePerGb = amount('--overage-price', overage);
  const fee = args.string('fee');
  if (fee === 'none') delete plan.monthlyFee;
  else if (fee !== undefined) plan.monthlyFee = amount('--fee', fee);
  const currency = args.string('currency');
  if (currency !== undefined) {
    if (!/^[A-Za-z$€£¥]{1,8}$/.test(currency))
      throw usage(`--currency takes a code such as USD or EUR, not "${currency}".`);
    plan.currency = currency.toUpperCase();
  }
  const atCap = args.string('at-cap');
  if (atCap !== undefined) plan.atCap = oneOf('plan', '--at-cap', atCap, AT_CAP);
  const rate = args.string('rate');
  if (rate !== undefined) {
    const bps = parseRate(rate);
    if (bps === null) throw usage(`--rate takes a rate such as 1MB/s or 8Mbit/s, not "${rate}".`);
    plan.rateLimitBps = bps;
  }
  if (plan.atCap === 'rate-limit' && plan.rateLimitBps === null) {
    throw usage('--at-cap rate-limit needs the rate to slow down to: add --rate, e.g. --rate 1Mbit/s.');
  }
  const checked = PlanSchema.safeParse(plan);
  if (!checked.success) {
    throw usage(
      `That plan is not valid: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
    );
  }
  return checked.data;
}

function cycleFrom(args: ParsedArgs, base: Plan['cycle'], existing: boolean): Plan['cycle'] {
  const day = args.string('cycle-day');
  const prepaid = args.string('prepaid');
  const rolling = args.flag('rolling') ?? false;
  if ([day !== undefined, prepaid !== undefined, rolling].filter(Boolean).length > 1) {
    throw usage('Pick one of --cycle-day, --rolling and --prepaid.');
  }
  if (rolling) return { kind: 'rolling30' };
  if (day !== undefined) {
    const n = Number(day);
    if (!Number.isInteger(n) || n < 1 || n > 31) {
      throw usage(`--cycle-day takes a day from 1 to 31 (31 is the last day of every month), not "${day}".`);
    }
    return { kind: 'monthly', startDay: n };
  }
  if (prepaid !== undefined) {
    if (!isRealDate(prepaid))
      throw usage(`--prepaid takes the activation day as YYYY-MM-DD, not "${prepaid}".`);
    const changed = !existing || base.kind !== 'prepaid30' || base.activated !== prepaid;
    if (changed && prepaid > localDate(Date.now())) {
      throw usage('The activation day is in the future: give the day the plan started, today at the latest.');
    }
    return { kind: 'prepaid30', activated: prepaid };
  }
  return base;
}

function isRealDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(y, m - 1, d);
  return date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d;
}

function size(text: string): number {
  const bytes = parseByteSize(text);
  if (bytes === null || bytes <= 0)
    throw usage(`--cap takes a size such as 10GB or 500MB (or "none"), not "${text}".`);
  return bytes;
}

function amount(option: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw usage(`${option} takes an amount of 0 or more, such as 2.5, not "${text}".`);
  }
  return value;
}

const money = (value: number, currency: string): string => formatMoney(value, currency);

export function planText(path: string, plan: Plan): string {
  const cycle =
    plan.cycle.kind === 'monthly'
      ? `monthly, from day ${plan.cycle.startDay}${plan.cycle.startDay === 31 ? ' (the last day of every month)' : ''}`
      : plan.cycle.kind === 'rolling30'
        ? 'a sliding window of the last 30 days'
        : `prepaid 30-day periods from ${plan.cycle.activated}`;
  const atCap =
    plan.atCap === 'stop'
      ? 'downloads stop'
      : plan.atCap === 'rate-limit'
        ? `downloads slow to ${formatRate(plan.rateLimitBps)}`
        : 'downloads go on (over-cap price)';
  const rows = [
    ['cap', plan.capBytes === null ? 'no cap' : `${formatBytes(plan.capBytes)} per cycle`],
    ['cycle', cycle],
    [
      'price',
      `${money(plan.pricePerGb, plan.currency)} per GB, ${money(plan.overagePricePerGb, plan.currency)} per GB over the cap`,
    ],
    ['fee', plan.monthlyFee === undefined ? 'none' : `${money(plan.monthlyFee, plan.currency)} per cycle`],
    ['at the cap', atCap],
  ];
  return `${path}\n${rows.map(([k, v]) => `  ${(k ?? '').padEnd(12)}${v}`).join('\n')}\n`;
}
