import { useState } from 'react';
import type { PathInfo, Plan, Settings, SettingsPatch } from '../../../common/contract.ts';
import { PathDot } from '../components/Bars.tsx';
import { TYPE_LABEL } from '../components/Icon.tsx';
import { Section } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { errorMessage } from '../../../common/errors.ts';
import { formatBytes, formatDate, formatMoney, formatRate } from '../../../common/format.ts';
import { PlanEditor } from './PlanEditor.tsx';

/** When a plan's cycle resets, in words. */
function describeCycle(cycle: Plan['cycle']): string {
  if (cycle.kind === 'rolling30') return 'sliding 30 days';
  if (cycle.kind === 'prepaid30')
    return `prepaid, 30 days at a time from ${formatDate(parseLocalDay(cycle.activated))}`;
  return cycle.startDay === 31 ? 'resets on the last day of the month' : `resets on day ${cycle.startDay}`;
}

/** Local midnight of a YYYY-MM-DD day (a UTC parse would show the day before west of Greenwich). */
function parseLocalDay(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1).getTime();
}

/** A plan in one line: cap, cycle, price, what happens at the cap and any fixed fee. */
function describePlan(plan: Plan): string {
  const parts = [
    plan.capBytes !== null ? `${formatBytes(plan.capBytes)} cap` : 'no cap',
    describeCycle(plan.cycle),
    plan.pricePerGb > 0 ? `${formatMoney(plan.pricePerGb, plan.currency)}/GB` : 'no price',
  ];
  if (plan.capBytes !== null) {
    parts.push(
      plan.atCap === 'stop'
        ? 'stops at the cap'
        : plan.atCap === 'rate-limit'
          ? `slows to ${formatRate(plan.rateLimitBps)} at the cap`
          : 'keeps going past the cap',
    );
  }
  if (plan.monthlyFee) parts.push(`${formatMoney(plan.monthlyFee, plan.currency)} fee a cycle`);
  return parts.join(' · ');
}

/**
 * A line per network path and per path that has a plan (it may be unplugged now), each with its
 * plan and the editor behind "Add plan" / "Edit"; one editor open at a time.
 */
export function DataPlans({
  settings,
  save,
}: {
  settings: Settings;
  save: (patch: SettingsPatch) => Promise<void>;
}) {
  const { paths } = useDashboard();
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const known = (valueOf(paths.data) ?? []).filter((p) => p.type !== 'loopback' && p.type !== 'virtual');
  const names = [...new Set([...known.map((p) => p.name), ...Object.keys(settings.plans)])].sort();
  const byName = new Map<string, PathInfo>(known.map((p) => [p.name, p]));
  // The whole map goes back to the core, so the other paths' plans are kept.
  const setPlan = async (name: string, plan: Plan | null): Promise<void> => {
    const plans = { ...settings.plans };
    if (plan) plans[name] = plan;
    else delete plans[name];
    await save({ plans });
  };
  const remove = (name: string): void => {
    setError(null);
    setPlan(name, null).catch((e: unknown) => setError(errorMessage(e)));
  };
  return (
    <Section
      title="Data plans"
      description="A plan gives a path its cap, billing cycle and price, so Pathwise can forecast, cost and stop at the cap."
    >
      {names.length === 0 ? (
        <p className="muted">No network paths yet. Plans can be set once a path has appeared.</p>
      ) : (
        <ul className="plan-list" aria-label="Data plans">
          {names.map((name) => (
            <PlanItem
              key={name}
              name={name}
              path={byName.get(name)}
              plan={settings.plans[name]}
              editing={editing === name}
              onEdit={() => setEditing(name)}
              onRemove={() => remove(name)}
              onCancel={() => setEditing(null)}
              onSave={async (next) => {
                await setPlan(name, next);
                setEditing(null);
              }}
            />
          ))}
        </ul>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Section>
  );
}

function PlanItem({
  name,
  path,
  plan,
  editing,
  onEdit,
  onRemove,
  onCancel,
  onSave,
}: {
  name: string;
  /** Undefined when the path is not connected now. */
  path: PathInfo | undefined;
  plan: Plan | undefined;
  editing: boolean;
  onEdit: () => void;
  onRemove: () => void;
  onCancel: () => void;
  onSave: (plan: Plan) => Promise<void>;
}) {
  const { colors } = useDashboard();
  return (
    <li className="plan-item" aria-label={name}>
      <div className="plan-row">
        <span className="cell-path">
          <PathDot color={colors(name)} /> <strong>{name}</strong>
        </span>
        <span className="muted small">
          {path ? TYPE_LABEL[path.type] : 'not connected'}
          {path?.metered ? ' · metered' : ''}
        </span>
        <span className="plan-summary">
          {plan ? describePlan(plan) : <span className="muted">No plan</span>}
        </span>
        <span className="plan-actions">
          {!editing && (
            <button
              type="button"
              className="btn btn-sm"
              aria-label={`${plan ? 'Edit' : 'Add'} plan for ${name}`}
              onClick={onEdit}
            >
              {plan ? 'Edit' : 'Add plan'}
            </button>
          )}
          {plan && !editing && (
            <button
              type="button"
              className="btn btn-sm btn-ghost"
              aria-label={`Remove plan for ${name}`}
              onClick={onRemove}
            >
              Remove
            </button>
          )}
        </span>
      </div>
      {editing && <PlanEditor name={name} plan={plan} onCancel={onCancel} onSave={onSave} />}
    </li>
  );
}
