import type { Plan } from '../../../common/contract.ts';
import { formatBytes, parseByteSize } from '../../../common/format.ts';
import type { Checked, FormErrors } from '../hooks/useFormDraft.ts';

/** The plan as the user types it: numbers stay text until they are checked. */
export type PlanDraft = {
  cap: string;
  cycle: Plan['cycle']['kind'];
  /** Monthly: the day of the month the allowance resets, 1–31. */
  startDay: string;
  /** Prepaid: the activation day, YYYY-MM-DD (local). */
  activated: string;
  /** A fixed fee per cycle; empty for none. */
  fee: string;
  price: string;
  overage: string;
  currency: string;
  atCap: Plan['atCap'];
  /** Mbit/s, as links are sold. */
  limit: string;
};

/** A local date as YYYY-MM-DD, as plans store the activation day. */
export function localDateOf(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function sizeText(bytes: number | null): string {
  return bytes === null ? '' : formatBytes(bytes, 2).replace(/\.00 /, ' ');
}

/** The draft for a plan, or for a new plan (a prepaid one would start today). */
export function draftOf(plan: Plan | undefined, today: Date): PlanDraft {
  const cycle = plan?.cycle;
  return {
    cap: sizeText(plan?.capBytes ?? null),
    cycle: cycle?.kind ?? 'monthly',
    startDay: String(cycle?.kind === 'monthly' ? cycle.startDay : 1),
    activated: cycle?.kind === 'prepaid30' ? cycle.activated : localDateOf(today),
    fee: plan?.monthlyFee === undefined ? '' : String(plan.monthlyFee),
    price: String(plan?.pricePerGb ?? 0),
    overage: String(plan?.overagePricePerGb ?? 0),
    currency: plan?.currency ?? 'USD',
    atCap: plan?.atCap ?? 'stop',
    limit: plan?.rateLimitBps ? String((plan.rateLimitBps * 8) / 1e6) : '1',
  };
}

/** Whether `text` names a real calendar day (not 2025-02-30), as YYYY-MM-DD. */
function isRealDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(y, m - 1, d);
  return date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d;
}

type Errors = FormErrors<PlanDraft>;

function checkCycle(draft: PlanDraft, changed: boolean, today: Date, errors: Errors): Plan['cycle'] {
  if (draft.cycle === 'rolling30') return { kind: 'rolling30' };
  if (draft.cycle === 'prepaid30') {
    const activated = draft.activated.trim();
    if (!isRealDate(activated)) {
      errors.activated = 'Pick the day you activated the plan (a date such as 2026-03-14).';
    } else if (changed && activated > localDateOf(today)) {
      errors.activated =
        'The activation day is in the future: pick the day the plan started, today at the latest.';
    }
    return { kind: 'prepaid30', activated };
  }
  const day = Number(draft.startDay);
  if (!Number.isInteger(day) || day < 1 || day > 31) {
    errors.startDay =
      'Pick a day from 1 to 31 (the day your carrier resets the allowance; 31 is the last day of every month).';
  }
  return { kind: 'monthly', startDay: day };
}

function price(text: string, field: keyof PlanDraft, errors: Errors): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) errors[field] = 'Enter a price of 0 or more.';
  return value;
}

/**
 * The plan a draft describes, or what is wrong with it, field by field, with how to fix it. A
 * field left as it was keeps the plan's own value (a cap of 1,234,567,890 bytes shows as
 * "1.23 GB" but is saved back unrounded), so an unchanged plan saves back exactly as it was.
 */
export function checkPlan(
  draft: PlanDraft,
  original: Plan | undefined,
  today: Date,
): Checked<PlanDraft, Plan> {
  const initial = original ? draftOf(original, today) : undefined;
  const kept = (key: keyof PlanDraft): boolean => initial !== undefined && draft[key] === initial[key];
  const errors: Errors = {};
  let capBytes = original && kept('cap') ? original.capBytes : null;
  if (!kept('cap') && draft.cap.trim() !== '') {
    capBytes = parseByteSize(draft.cap);
    if (capBytes === null || capBytes <= 0) {
      errors.cap = 'Write the cap as a size, such as 20 GB or 500 MB; leave it empty for no cap.';
    }
  }
  const cycle = checkCycle(draft, !kept('activated') || original?.cycle.kind !== 'prepaid30', today, errors);
  const fee = draft.fee.trim() === '' ? undefined : price(draft.fee, 'fee', errors);
  const pricePerGb = price(draft.price, 'price', errors);
  const overagePricePerGb = price(draft.overage, 'overage', errors);
  const currency = original && kept('currency') ? original.currency : draft.currency.trim().toUpperCase();
  if (!kept('currency') && !/^[A-Za-z$€£¥]{1,8}$/.test(draft.currency.trim())) {
    errors.currency = 'Use a currency code such as USD or EUR.';
  }
  const mbit = Number(draft.limit);
  let rateLimitBps: number | null = null;
  if (draft.atCap === 'rate-limit') {
    if (original?.atCap === 'rate-limit' && original.rateLimitBps !== null && kept('limit')) {
      rateLimitBps = original.rateLimitBps;
    } else if (!Number.isFinite(mbit) || mbit <= 0) {
      errors.limit = 'Enter the slowed-down rate in Mbit/s, e.g. 1.';
    } else {
      rateLimitBps = (mbit * 1e6) / 8;
    }
  } else if (original && kept('atCap')) {
    rateLimitBps = original.rateLimitBps;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    value: {
      capBytes,
      cycle,
      pricePerGb,
      overagePricePerGb,
      atCap: draft.atCap,
      rateLimitBps,
      currency,
      ...(fee === undefined ? {} : { monthlyFee: fee }),
      // What the plan is tied to (its SIM, Wi-Fi network or adapter) is not edited here: kept.
      ...(original?.identity ? { identity: original.identity } : {}),
      ...(original?.mac ? { mac: original.mac } : {}),
    },
  };
}
