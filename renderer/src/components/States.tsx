import type { ReactNode } from 'react';
import type { Loadable } from '../hooks/useLive.ts';
import { Icon, type IconName } from './Icon.tsx';

/** A calm, centred "nothing here yet" with what to do about it. */
export function EmptyState({
  icon = 'empty',
  title,
  children,
  action,
}: {
  icon?: IconName;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="empty-state">
      <div className="empty-icon">
        <Icon name={icon} size={22} />
      </div>
      <p className="empty-title">{title}</p>
      {children && <p className="empty-text">{children}</p>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

export function ErrorState({
  title,
  message,
  onRetry,
}: {
  title: string;
  message: string;
  onRetry?: () => void;
}) {
  return (
    <div className="empty-state is-error" role="alert">
      <div className="empty-icon">
        <Icon name="warning" size={22} />
      </div>
      <p className="empty-title">{title}</p>
      <p className="empty-text">{message}</p>
      {onRetry && (
        <div className="empty-action">
          <button type="button" className="btn" onClick={onRetry}>
            <Icon name="retry" size={16} /> Try again
          </button>
        </div>
      )}
    </div>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/**
 * Renders a Loadable: a spinner, the value, a calm "not available" note (the core has no such
 * part, or it failed to start) or an error with a retry. Every view goes through this.
 */
export function LoadableView<T>({
  data,
  what,
  unavailable,
  onRetry,
  children,
}: {
  data: Loadable<T>;
  /** e.g. "transfers": used in the loading, error and unavailable texts. */
  what: string;
  /** What the unavailable state says instead of the default. */
  unavailable?: { title: string; text: ReactNode; icon?: IconName };
  onRetry?: () => void;
  children: (value: T) => ReactNode;
}) {
  if (data.state === 'loading') return <Loading label={`Loading ${what}…`} />;
  if (data.state === 'unavailable') {
    return (
      <EmptyState icon={unavailable?.icon ?? 'info'} title={unavailable?.title ?? `No ${what} yet`}>
        {unavailable?.text ??
          `This part of Pathwise is not running right now. Restart Pathwise; if it stays like this, run "pathwise serve" in a terminal to see why.`}
      </EmptyState>
    );
  }
  if (data.state === 'error') {
    return <ErrorState title={`Could not load ${what}`} message={data.message} onRetry={onRetry} />;
  }
  return <>{children(data.value)}</>;
}
