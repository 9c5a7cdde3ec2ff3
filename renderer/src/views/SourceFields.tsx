import { urlProblem } from '../lib/urlProblem.ts';

/** What the user typed for where the file comes from, besides its address. */
export interface SourceDraft {
  /** More addresses of the same file, one a line. */
  mirrors: string;
  user: string;
  password: string;
}

/**
 * The mirror addresses a draft names (blank lines and the main address left out, each once), or
 * what is wrong with one, naming its line.
 */
export function checkMirrors(text: string, main: string): string[] | string {
  const urls: string[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    const value = line.trim();
    if (value === '') continue;
    const problem = urlProblem(value);
    if (problem) return `Mirror on line ${index + 1}: ${problem}`;
    if (value !== main.trim() && !urls.includes(value)) urls.push(value);
  }
  if (urls.length > 32) return 'At most 32 mirrors.';
  return urls;
}

/** The login to send, none when no user is typed, or what is wrong with it. */
export function checkLogin(
  user: string,
  password: string,
): { user: string; password: string } | null | string {
  if (user === '') return password === '' ? null : 'Enter the user name that goes with the password.';
  if (user.includes(':')) return 'A user name can’t contain a colon (HTTP Basic login).';
  // Control characters would break the header they travel in.
  if (/\p{Cc}/u.test(user) || /\p{Cc}/u.test(password)) return 'The login contains control characters.';
  return { user, password };
}

/**
 * Mirrors and a login, folded under "More options" with the rest: most downloads need neither.
 * The password field is a real password field (not remembered by the form, never shown), and the
 * hint says where the login goes and that it is not kept.
 */
export function SourceFields({
  id,
  draft,
  errors,
  onChange,
}: {
  id: string;
  draft: SourceDraft;
  errors: { mirrors?: string | undefined; login?: string | undefined };
  onChange: (change: Partial<SourceDraft>) => void;
}) {
  return (
    <div className="add-transfer-row add-transfer-sources">
      <div className="field grow">
        <label htmlFor={`${id}-mirrors`}>Mirrors</label>
        <textarea
          id={`${id}-mirrors`}
          value={draft.mirrors}
          rows={2}
          className="mono"
          spellCheck={false}
          placeholder="More addresses of the same file, one a line"
          aria-invalid={errors.mirrors ? true : undefined}
          aria-describedby={`${id}-mirrors-hint${errors.mirrors ? ` ${id}-mirrors-error` : ''}`}
          onChange={(e) => onChange({ mirrors: e.target.value })}
        />
        <p className="field-hint" id={`${id}-mirrors-hint`}>
          Ranges are fetched from every mirror; one that serves different bytes is dropped.
        </p>
        {errors.mirrors && (
          <p className="field-error" id={`${id}-mirrors-error`}>
            {errors.mirrors}
          </p>
        )}
      </div>
      <fieldset className="field add-transfer-login" aria-describedby={`${id}-login-hint`}>
        <legend>Login</legend>
        <div className="add-transfer-row">
          <div className="field">
            <label htmlFor={`${id}-login`}>User</label>
            <input
              id={`${id}-login`}
              value={draft.user}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={errors.login ? true : undefined}
              onChange={(e) => onChange({ user: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-password`}>Password</label>
            <input
              id={`${id}-password`}
              type="password"
              value={draft.password}
              autoComplete="off"
              aria-invalid={errors.login ? true : undefined}
              onChange={(e) => onChange({ password: e.target.value })}
            />
          </div>
        </div>
        <p className="field-hint" id={`${id}-login-hint`}>
          Sent only to the addresses above, never after a redirect to another site; not saved, so a download
          resumed after Pathwise restarts asks for it again.
        </p>
        {errors.login && (
          <p className="field-error" id={`${id}-login-error`}>
            {errors.login}
          </p>
        )}
      </fieldset>
    </div>
  );
}
