import type { Plan } from '../../../common/contract.ts';
import { FormActions } from '../components/FormActions.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { TextField } from '../components/TextField.tsx';
import { useFormDraft } from '../hooks/useFormDraft.ts';
import { checkPlan, draftOf, type PlanDraft } from './planDraft.ts';

type AtCap = Plan['atCap'];

const AT_CAP: ReadonlyArray<{ value: AtCap; label: string }> = [
  { value: 'stop', label: 'Stop' },
  { value: 'rate-limit', label: 'Slow down' },
  { value: 'allow', label: 'Keep going' },
];

const CYCLES: ReadonlyArray<{ value: Plan['cycle']['kind']; label: string; title: string }> = [
  { value: 'monthly', label: 'Monthly', title: 'Resets on the same day every month' },
  { value: 'rolling30', label: 'Sliding 30 days', title: 'Always the last 30 days; nothing resets' },
  { value: 'prepaid30', label: 'Prepaid 30 days', title: '30-day periods from the day you activated it' },
];

const START_DAY_HINT =
  '1–31. Days 29–31 fall on the last day of shorter months; 31 means “the last day of the month”.';

/** A date field like TextField: the browser's date picker gives YYYY-MM-DD, or nothing. */
function DateField({
  id,
  label,
  value,
  onChange,
  error,
  hint,
  max,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  hint?: string | undefined;
  max: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="date"
        value={value}
        max={max}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? `${id}-hint` : undefined}
      />
      {(error || hint) && (
        <p className={error ? 'field-error' : 'field-hint'} id={`${id}-hint`}>
          {error ?? hint}
        </p>
      )}
    </div>
  );
}

/** What the plan follows: a SIM, a Wi-Fi network or an adapter, else (for now) the path's name. */
function PlanTie({ name, tiedTo }: { name: string; tiedTo: string | null | undefined }) {
  return (
    <p className="field-hint plan-tie">
      {tiedTo
        ? `Tied to ${tiedTo}: the plan follows it whatever the interface is called.`
        : `Tied to the name ${name} until Pathwise can tell what it is (its SIM, Wi-Fi network or adapter).`}
    </p>
  );
}

interface PlanEditorProps {
  name: string;
  plan: Plan | undefined;
  /** What the plan is (or will be) tied to, in words ("SIM 2620…"); null: only the name so far. */
  tiedTo?: string | null | undefined;
  onSave: (plan: Plan) => Promise<void>;
  onCancel: () => void;
}

/**
 * The form behind "Add plan" / "Edit": every field checked with a message that says how to fix
 * it. A plan saved without changes comes back exactly as it was (see planDraft.ts).
 */
export function PlanEditor({ name, plan, tiedTo, onSave, onCancel }: PlanEditorProps) {
  const { draft, edit, errors, field, submit } = useFormDraft<PlanDraft>(() => draftOf(plan, new Date()));
  const check = (d: PlanDraft) => checkPlan(d, plan, new Date());
  return (
    <form
      className="plan-editor"
      onSubmit={(e) => void submit(e, check, onSave)}
      noValidate
      aria-label={`Plan for ${name}`}
    >
      <PlanTie name={name} tiedTo={tiedTo} />
      <div className="form-grid">
        <TextField {...field('cap', 'Data cap', 'e.g. 20 GB; empty for unlimited')} placeholder="Unlimited" />
        <div className="field field-wide">
          <Segmented
            label="Billing cycle"
            hideLabel={false}
            value={draft.cycle}
            options={CYCLES}
            onChange={(cycle) => edit({ cycle })}
          />
        </div>
        {draft.cycle === 'monthly' && (
          <TextField {...field('startDay', 'Cycle starts on day', START_DAY_HINT)} inputMode="numeric" />
        )}
        {draft.cycle === 'rolling30' && (
          <p className="field-hint field-wide">
            The use of the last 30 days, a window that slides each day: nothing resets, and there is no end
            date to forecast.
          </p>
        )}
        {draft.cycle === 'prepaid30' && (
          <DateField
            {...field(
              'activated',
              'Activated on',
              'The day you activated or last topped up the plan; each period runs 30 days from it.',
            )}
            max={draftOf(undefined, new Date()).activated}
          />
        )}
        <TextField {...field('currency', 'Currency')} maxLength={8} />
        <TextField
          {...field('fee', 'Fixed fee per cycle', 'Paid whatever the use; empty for none')}
          inputMode="decimal"
          placeholder="None"
        />
        <TextField {...field('price', 'Price per GB')} inputMode="decimal" />
        <TextField {...field('overage', 'Price per GB over the cap')} inputMode="decimal" />
        <div className="field field-wide">
          <Segmented
            label="At the cap"
            hideLabel={false}
            value={draft.atCap}
            options={AT_CAP}
            onChange={(atCap) => edit({ atCap })}
          />
        </div>
        {draft.atCap === 'rate-limit' && (
          <TextField {...field('limit', 'Slow down to (Mbit/s)')} inputMode="decimal" />
        )}
      </div>
      <FormActions submit="Save plan" error={errors.form}>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
      </FormActions>
    </form>
  );
}
