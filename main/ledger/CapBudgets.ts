import type { Plan } from '../../common/contract.ts';
import type { BudgetProvider, PathBudget } from '../base/budget.ts';
import type { CycleTotals } from './CycleTotals.ts';
import { usedBytes } from './usageTotals.ts';

/**
 * The engine's budget per path (`BudgetProvider`), from the plan the path is on and the plan's
 * use this cycle including unflushed bytes: 'stop' leaves what remains of the cap, 'rate-limit'
 * gives the plan's rate once the cap is reached, 'allow' (or no cap) leaves the path alone. The
 * plan is found by what is paid for on the path (`planKeyOf`, see planIdentity.ts), so a modem
 * back under another name keeps its cap and what is left of it; without `planKeyOf`, by name.
 */
export class CapBudgets implements BudgetProvider {
  private readonly plans: () => Record<string, Plan> | undefined;
  private readonly cycles: CycleTotals;
  private readonly now: () => number;
  private readonly planKeyOf: (path: string) => string | null;

  constructor(
    plans: () => Record<string, Plan> | undefined,
    cycles: CycleTotals,
    now: () => number,
    planKeyOf: (path: string) => string | null = (path) => path,
  ) {
    this.plans = plans;
    this.cycles = cycles;
    this.now = now;
    this.planKeyOf = planKeyOf;
  }

  budgetFor(path: string): PathBudget {
    const none = { remainingBytes: null, rateLimitBps: null };
    const key = this.planKeyOf(path);
    if (key === null) return none;
    const plan = this.plans()?.[key];
    if (!plan || plan.capBytes === null || plan.atCap === 'allow') return none;
    const used = usedBytes(this.cycles.of(key, plan, this.now()));
    if (plan.atCap === 'rate-limit') {
      return { remainingBytes: null, rateLimitBps: used >= plan.capBytes ? plan.rateLimitBps : null };
    }
    return { remainingBytes: Math.max(0, plan.capBytes - used), rateLimitBps: null };
  }
}
