import { useId } from 'react';

/**
 * A segmented control built from native radio buttons: arrow keys move between options, the
 * group has a name screen readers announce, and the look is a row of joined buttons.
 */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  disabled,
  size = 'md',
  hideLabel = true,
}: {
  label: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string; title?: string }>;
  onChange: (value: T) => void;
  disabled?: boolean;
  size?: 'sm' | 'md';
  hideLabel?: boolean;
}) {
  const name = useId();
  return (
    <fieldset className={`segmented segmented-${size}`} disabled={disabled}>
      <legend className={hideLabel ? 'visually-hidden' : 'segmented-legend'}>{label}</legend>
      {options.map((option) => (
        <label
          key={option.value}
          className={option.value === value ? 'is-selected' : undefined}
          title={option.title}
        >
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={option.value === value}
            onChange={() => onChange(option.value)}
          />
          <span>{option.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
