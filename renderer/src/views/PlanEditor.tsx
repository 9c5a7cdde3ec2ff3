import type { Plan } from '../../../common/contract.ts';
import { FormActions } from '../components/FormActions.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { TextField } from '../components/TextField.tsx';
import { useFormDraft, type Checked, type FormErrors } from '../hooks/useFormDraft.ts';
import { formatBytes, parseByteSize } from '../../../common/format.ts';

type AtCap = Plan['atCap'];

const AT_CAP: ReadonlyArray<{ value: AtCap; label: string }> = [
  { value: 'stop', label: 'Stop' },
  { value: 'rate-limit', label: 'Slow down' },
  { value: 'allow', label: 'Keep going' },
];

const CYCLES: ReadonlyArray<{ value: Plan['cycle']['kind']; label: string }> = [
  { value: 'monthly', label: 'Monthly' },
  { value: 'rolling30', label: 'Rolling 30 days' },
];

/** The plan as the user types it: numbers stay text until they are checked. */
type PlanDraft = {
  cap: string;
  cycle: Plan['cycle']['kind'];
  startDay: string;
  price: string;
  overage: string;
  currency: string;
  atCap: AtCap;
  /** Mbit/s, as links are sold. */
  limit: string;
};

function sizeText(bytes: number | null): string {
  return bytes === null ? '' : formatBytes(bytes, 2).replace(/\.00 /, ' ');
}

function draftOf(plan: Plan | undefined): PlanDraft {
  return {
    cap: sizeText(plan?.capBytes ?? null),
    cycle: plan?.cycle.kind ?? 'monthly',
    startDay: String(plan?.cycle.kind === 'monthly' ? plan.cycle.startDay : 1),
    price: String(plan?.pricePerGb ?? 0),
    overage: String(plan?.overagePricePerGb ?? 0),
    currency: plan?.currency ?? 'USD',
    atCap: plan?.atCap ?? 'stop',
    limit: plan?.rateLimitBps ? String((plan.rateLimitBps * 8) / 1e6) : '1',
  };
}

/** The plan a draft describes, or what is wrong with it, field by field, with how to fix it. */
function checkPlan(draft: PlanDraft): Checked<PlanDraft, Plan> {
  const errors: FormErrors<PlanDraft> = {};
  const capBytes = draft.cap.trim() === '' ? null : parseByteSize(draft.cap);
  if (draft.cap.trim() !== '' && (capBytes === null || capBytes <= 0)) {
    errors.cap = 'Write the cap as a size, such as 20 GB or 500 MB; leave it empty for no cap.';
  }
  const day = Number(draft.startDay);
  if (draft.cycle === 'monthly' && (!Number.isInteger(day) || day < 1 || day > 28)) {
    errors.startDay = 'Pick a day from 1 to 28 (the day your carrier resets the allowance).';
  }
  const pricePerGb = Number(draft.price);
  if (!Number.isFinite(pricePerGb) || pricePerGb < 0) errors.price = 'Enter a price of 0 or more.';
  const overagePricePerGb = Number(draft.overage);
  if (!Number.isFinite(overagePricePerGb) || overagePricePerGb < 0)
    errors.overage = 'Enter a price of 0 or more.';
  if (!/^[A-Za-z$€£¥]{1,8}$/.test(draft.currency.trim()))
    errors.currency = 'Use a currency code such as USD or EUR.';
  const mbit = Number(draft.limit);
  if (draft.atCap === 'rate-limit' && (!Number.isFinite(mbit) || mbit <= 0)) {
    errors.limit = 'Enter the slowed-down rate in Mbit/s, e.g. 1.';
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    value: {
      capBytes,
      cycle: draft.cycle === 'monthly' ? { kind: 'monthly', startDay: day } : { kind: 'rolling30' },
      pricePerGb,
      overagePricePerGb,
      atCap: draft.atCap,
      rateLimitBps: draft.atCap === 'rate-limit' ? (mbit * 1e6) / 8 : null,
      currency: draft.currency.trim().toUpperCase(),
    },
  };
}

/** The form behind "Add plan" / "Edit": every field checked with a message that says how to fix it. */
export function PlanEditor({
  name,
  plan,
  onSave,
  onCancel,
}: {
  name: string;
  plan: Plan | undefined;
  onSave: (plan: Plan) => Promise<void>;
  onCancel: () => void;
}) {
  const { draft, edit, errors, field, submit } = useFormDraft(() => draftOf(plan));

  return (
    <form
      className="plan-editor"
      onSubmit={(e) => void submit(e, checkPlan, onSave)}
      noValidate
      aria-label={`Plan for ${name}`}
    >
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
          <TextField {...field('startDay', 'Cycle starts on day', '1–28')} inputMode="numeric" />
        )}
        <TextField {...field('currency', 'Currency')} maxLength={8} />
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
