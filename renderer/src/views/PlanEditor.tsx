import { useId, useState, type FormEvent } from 'react';
import type { Plan } from '../../../common/contract.ts';
import { Segmented } from '../components/Segmented.tsx';
import { errorMessage } from '../../../common/errors.ts';
import { formatBytes, parseByteSize } from '../../../common/format.ts';

type AtCap = Plan['atCap'];

const AT_CAP: ReadonlyArray<{ value: AtCap; label: string }> = [
  { value: 'stop', label: 'Stop' },
  { value: 'rate-limit', label: 'Slow down' },
  { value: 'allow', label: 'Keep going' },
];

function sizeText(bytes: number | null): string {
  return bytes === null ? '' : formatBytes(bytes, 2).replace(/\.00 /, ' ');
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
  const id = useId();
  const [cap, setCap] = useState(sizeText(plan?.capBytes ?? null));
  const [cycle, setCycle] = useState<Plan['cycle']['kind']>(plan?.cycle.kind ?? 'monthly');
  const [startDay, setStartDay] = useState(String(plan?.cycle.kind === 'monthly' ? plan.cycle.startDay : 1));
  const [price, setPrice] = useState(String(plan?.pricePerGb ?? 0));
  const [overage, setOverage] = useState(String(plan?.overagePricePerGb ?? 0));
  const [currency, setCurrency] = useState(plan?.currency ?? 'USD');
  const [atCap, setAtCap] = useState<AtCap>(plan?.atCap ?? 'stop');
  const [limit, setLimit] = useState(plan?.rateLimitBps ? String((plan.rateLimitBps * 8) / 1e6) : '1');
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const next: Record<string, string> = {};
    const capBytes = cap.trim() === '' ? null : parseByteSize(cap);
    if (cap.trim() !== '' && (capBytes === null || capBytes <= 0)) {
      next['cap'] = 'Write the cap as a size, such as 20 GB or 500 MB; leave it empty for no cap.';
    }
    const day = Number(startDay);
    if (cycle === 'monthly' && (!Number.isInteger(day) || day < 1 || day > 28)) {
      next['startDay'] = 'Pick a day from 1 to 28 (the day your carrier resets the allowance).';
    }
    const pricePerGb = Number(price);
    if (!Number.isFinite(pricePerGb) || pricePerGb < 0) next['price'] = 'Enter a price of 0 or more.';
    const overagePricePerGb = Number(overage);
    if (!Number.isFinite(overagePricePerGb) || overagePricePerGb < 0)
      next['overage'] = 'Enter a price of 0 or more.';
    if (!/^[A-Za-z$€£¥]{1,8}$/.test(currency.trim()))
      next['currency'] = 'Use a currency code such as USD or EUR.';
    const mbit = Number(limit);
    if (atCap === 'rate-limit' && (!Number.isFinite(mbit) || mbit <= 0)) {
      next['limit'] = 'Enter the slowed-down rate in Mbit/s, e.g. 1.';
    }
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    try {
      await onSave({
        capBytes,
        cycle: cycle === 'monthly' ? { kind: 'monthly', startDay: day } : { kind: 'rolling30' },
        pricePerGb,
        overagePricePerGb,
        atCap,
        rateLimitBps: atCap === 'rate-limit' ? (mbit * 1e6) / 8 : null,
        currency: currency.trim().toUpperCase(),
      });
    } catch (error) {
      setErrors({ form: errorMessage(error) });
    }
  };

  const input = (
    key: string,
    label: string,
    value: string,
    set: (v: string) => void,
    hint?: string,
    extra = {},
  ) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        value={value}
        onChange={(e) => set(e.target.value)}
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={errors[key] || hint ? `${id}-${key}-hint` : undefined}
        {...extra}
      />
      {(errors[key] || hint) && (
        <p className={errors[key] ? 'field-error' : 'field-hint'} id={`${id}-${key}-hint`}>
          {errors[key] ?? hint}
        </p>
      )}
    </div>
  );

  return (
    <form className="plan-editor" onSubmit={(e) => void submit(e)} noValidate aria-label={`Plan for ${name}`}>
      <div className="form-grid">
        {input('cap', 'Data cap', cap, setCap, 'e.g. 20 GB; empty for unlimited', {
          placeholder: 'Unlimited',
        })}
        <div className="field field-wide">
          <Segmented
            label="Billing cycle"
            hideLabel={false}
            value={cycle}
            options={[
              { value: 'monthly', label: 'Monthly' },
              { value: 'rolling30', label: 'Rolling 30 days' },
            ]}
            onChange={setCycle}
          />
        </div>
        {cycle === 'monthly' &&
          input('startDay', 'Cycle starts on day', startDay, setStartDay, '1–28', { inputMode: 'numeric' })}
        {input('currency', 'Currency', currency, setCurrency, undefined, { maxLength: 8 })}
        {input('price', 'Price per GB', price, setPrice, undefined, { inputMode: 'decimal' })}
        {input('overage', 'Price per GB over the cap', overage, setOverage, undefined, {
          inputMode: 'decimal',
        })}
        <div className="field field-wide">
          <Segmented
            label="At the cap"
            hideLabel={false}
            value={atCap}
            options={AT_CAP}
            onChange={setAtCap}
          />
        </div>
        {atCap === 'rate-limit' &&
          input('limit', 'Slow down to (Mbit/s)', limit, setLimit, undefined, { inputMode: 'decimal' })}
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary">
          Save plan
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
        {errors['form'] && (
          <p className="form-error" role="alert">
            {errors['form']}
          </p>
        )}
      </div>
    </form>
  );
}
