import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../../../common/errors.ts';

/** A message per field, and `form` for the core's refusal of the whole. */
export type FormErrors<D> = Partial<Record<keyof D | 'form', string>>;

/** What a form's check makes of a draft: the value to save, or what is wrong, field by field. */
export type Checked<D, T> = { errors: FormErrors<D> } | { value: T };

/**
 * A settings form's state: the draft as typed (numbers stay text until checked), a message per
 * field after a check, the props a TextField needs for a field, and the submit every form does:
 * check, show the errors or save, and show the core's refusal if it refuses.
 */
export function useFormDraft<D extends Record<string, string>>(initial: () => D) {
  const id = useId();
  const [draft, setDraft] = useState<D>(initial);
  const [errors, setErrors] = useState<FormErrors<D>>({});
  const edit = (change: Partial<D>): void => setDraft((current) => ({ ...current, ...change }));
  const field = (key: keyof D & string, label: string, hint?: string) => ({
    id: `${id}-${key}`,
    label,
    value: draft[key],
    onChange: (value: string) => edit({ [key]: value } as Partial<D>),
    error: errors[key],
    hint,
  });
  const submit = async <T>(
    event: FormEvent,
    check: (draft: D) => Checked<D, T>,
    save: (value: T) => Promise<void>,
  ): Promise<void> => {
    event.preventDefault();
    const checked = check(draft);
    setErrors('errors' in checked ? checked.errors : {});
    if ('errors' in checked) return;
    try {
      await save(checked.value);
    } catch (error) {
      setErrors({ form: errorMessage(error) } as FormErrors<D>);
    }
  };
  return { draft, edit, errors, field, submit };
}
