import { useEffect, useState } from 'react';
import type { PathInfo, Plan, Settings, SettingsPatch } from '../../../common/contract.ts';
import { PathDot } from '../components/Bars.tsx';
import { TYPE_LABEL } from '../components/Icon.tsx';
import { Section } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { errorMessage } from '../../../common/errors.ts';
import { describeIdentity, planKeyFor, tieTo } from '../../../common/planIdentity.ts';
import { formatBytes, formatDate, formatMoney, formatRate } from '../../../common/format.ts';
import { hashParam } from '../lib/useHashRoute.ts';
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

/** One line of the list: a path here now (with the key of its plan, if any), or a plan whose path is not. */
interface PlanLine {
  id: string;
  name: string;
  key: string | null;
  path: PathInfo | undefined;
}

/**
 * The lines: each path with the plan it is on, found by what is paid for on it (a modem back as
 * wwan1 shows wwan0's plan), then each plan no path here is on, under its own name.
 */
function planLines(known: readonly PathInfo[], plans: Settings['plans']): PlanLine[] {
  const lines: PlanLine[] = known.map((path) => ({
    id: `path:${path.name}`,
    name: path.name,
    key: planKeyFor(path, plans, known),
    path,
  }));
  const used = new Set(lines.map((l) => l.key));
  for (const key of Object.keys(plans)) {
    if (!used.has(key)) lines.push({ id: `plan:${key}`, name: key, key, path: undefined });
  }
  return lines.sort((a, b) => (a.name === b.name ? (a.path ? -1 : 1) : a.name < b.name ? -1 : 1));
}

/** A key for a new plan of `name`: the name, unless another plan (for another SIM or network) has it. */
function freeKey(name: string, plans: Settings['plans']): string {
  let key = name;
  for (let n = 2; plans[key]; n++) key = `${name} (${n})`;
  return key;
}

/**
 * A line per network path and per plan no path here is on (it may be unplugged now), each with
 * its plan and the editor behind "Add plan" / "Edit"; one editor open at a time. A new plan is
 * tied to what is paid for on its path (SIM, Wi-Fi network or adapter) when that is known.
 */
export function DataPlans({
  settings,
  save,
}: {
  settings: Settings;
  save: (patch: SettingsPatch) => Promise<void>;
}) {
  const { paths } = useDashboard();
  const known = (valueOf(paths.data) ?? []).filter((p) => p.type !== 'loopback' && p.type !== 'virtual');
  const lines = planLines(known, settings.plans);
  // Opened for one plan (an alert's "Edit plan", a waiting download's "Raise the cap"): its editor.
  const [asked] = useState(() => lines.find((l) => l.name === hashParam('plan')) ?? null);
  const [editing, setEditing] = useState<string | null>(asked?.id ?? null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!asked) return;
    const form = [...document.querySelectorAll<HTMLElement>('form')].find(
      (f) => f.getAttribute('aria-label') === `Plan for ${asked.name}`,
    );
    form?.scrollIntoView?.({ block: 'center' });
    form?.querySelector<HTMLElement>('input')?.focus();
  }, [asked]);
  // The whole map goes back to the core, so the other paths' plans are kept.
  const setPlan = async (line: PlanLine, plan: Plan | null): Promise<void> => {
    const plans = { ...settings.plans };
    if (line.key === null) {
      if (plan) plans[freeKey(line.name, plans)] = { ...plan, ...(line.path ? tieTo({}, line.path) : {}) };
    } else if (plan) plans[line.key] = plan;
    else delete plans[line.key];
    await save({ plans });
  };
  const remove = (line: PlanLine): void => {
    setError(null);
    setPlan(line, null).catch((e: unknown) => setError(errorMessage(e)));
  };
  return (
    <Section
      title="Data plans"
      description="A plan gives a path its cap, billing cycle and price, so Pathwise can forecast, cost and stop at the cap."
    >
      {lines.length === 0 ? (
        <p className="muted">No network paths yet. Plans can be set once a path has appeared.</p>
      ) : (
        <ul className="plan-list" aria-label="Data plans">
          {lines.map((line) => (
            <PlanItem
              key={line.id}
              name={line.name}
              path={line.path}
              plan={line.key === null ? undefined : settings.plans[line.key]}
              editing={editing === line.id}
              onEdit={() => setEditing(line.id)}
              onRemove={() => remove(line)}
              onCancel={() => setEditing(null)}
              onSave={async (next) => {
                await setPlan(line, next);
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
      {editing && (
        <PlanEditor
          name={name}
          plan={plan}
          tiedTo={describeIdentity(plan ?? (path ? (tieTo({}, path) ?? {}) : {}))}
          onCancel={onCancel}
          onSave={onSave}
        />
      )}
    </li>
  );
}
