import type { InputHTMLAttributes } from 'react';

/**
 * A labelled text input for the settings forms. Its hint gives way to the error when there is
 * one, in the same place, so the message about a field sits where the user is looking.
 */
export function TextField({
  id,
  label,
  value,
  onChange,
  error,
  hint,
  wide = false,
  ...input
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  hint?: string | undefined;
  /** Spans the form grid's full width (long values: addresses, folders). */
  wide?: boolean;
} & Pick<
  InputHTMLAttributes<HTMLInputElement>,
  | 'placeholder'
  | 'inputMode'
  | 'maxLength'
  | 'className'
  | 'spellCheck'
  | 'type'
  | 'autoComplete'
  | 'disabled'
>) {
  return (
    <div className={wide ? 'field field-wide' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? `${id}-hint` : undefined}
        {...input}
      />
      {(error || hint) && (
        <p className={error ? 'field-error' : 'field-hint'} id={`${id}-hint`}>
          {error ?? hint}
        </p>
      )}
    </div>
  );
}
