import type { Plan } from '../../common/contract.ts';
import type { BudgetProvider, PathBudget } from '../base/budget.ts';
import type { CycleTotals } from './CycleTotals.ts';
import { usedBytes } from './usageTotals.ts';

/**
 * The engine's budget per path (`BudgetProvider`), from the path's plan and its use this cycle
 * including unflushed bytes: 'stop' leaves what remains of the cap, 'rate-limit' gives the plan's
 * rate once the cap is reached, 'allow' (or no cap) leaves the path alone.
 */
export class CapBudgets implements BudgetProvider {
  private readonly plans: () => Record<string, Plan> | undefined;
  private readonly cycles: CycleTotals;
  private readonly now: () => number;

  constructor(plans: () => Record<string, Plan> | undefined, cycles: CycleTotals, now: () => number) {
    this.plans = plans;
    this.cycles = cycles;
    this.now = now;
  }

  budgetFor(path: string): PathBudget {
    const plan = this.plans()?.[path];
    if (!plan || plan.capBytes === null || plan.atCap === 'allow') {
      return { remainingBytes: null, rateLimitBps: null };
    }
    const used = usedBytes(this.cycles.of(path, plan, this.now()));
    if (plan.atCap === 'rate-limit') {
      return { remainingBytes: null, rateLimitBps: used >= plan.capBytes ? plan.rateLimitBps : null };
    }
    return { remainingBytes: Math.max(0, plan.capBytes - used), rateLimitBps: null };
  }
}
