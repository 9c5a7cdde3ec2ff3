import type { ReactNode } from 'react';

/** A form's submit button, what goes beside it (Cancel, "Saved."), and the core's refusal. */
export function FormActions({
  submit,
  error,
  children,
}: {
  submit: string;
  error: string | undefined;
  children?: ReactNode;
}) {
  return (
    <div className="form-actions">
      <button type="submit" className="btn btn-primary">
        {submit}
      </button>
      {children}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
