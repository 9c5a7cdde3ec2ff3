import type { Plan } from '../../common/contract.ts';

const GB = 1e9;

/** An amount of money as a bill shows it: in cents (`--json` once said 29.757238309999998). */
export function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The plan's per-GB price for `bytes`: the price within the cap, the overage price beyond it. */
export function bytesCost(plan: Plan, bytes: number): number {
  const within = plan.capBytes === null ? bytes : Math.min(bytes, plan.capBytes);
  const over = plan.capBytes === null ? 0 : Math.max(0, bytes - plan.capBytes);
  return cents((within / GB) * plan.pricePerGb + (over / GB) * plan.overagePricePerGb);
}

/** What a cycle with `bytes` used costs: the fixed fee plus the per-GB price. */
export function cycleCost(plan: Plan, bytes: number): number {
  return cents((plan.monthlyFee ?? 0) + bytesCost(plan, bytes));
}
