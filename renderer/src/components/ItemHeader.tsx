import type { ReactNode } from 'react';
import { formatAgo } from '../../../common/format.ts';

/**
 * The head of an item in a list of things that happen (an alert, a download): an optional icon,
 * the title with when it happened, what else there is to know under it, a status and the
 * item's buttons. One layout, so every list in the dashboard reads the same way.
 */
export function ItemHeader({
  icon,
  title,
  at,
  meta,
  status,
  actions,
}: {
  /** Drawn in a tinted square; decorative (the item's name says what it is). */
  icon?: ReactNode;
  title: ReactNode;
  /** When it happened, ms since the epoch: shown as "5 min ago" beside the title. */
  at?: number;
  /** Lines under the title. */
  meta?: ReactNode;
  /** A pill saying the item's state. */
  status?: { text: string; tone: string };
  actions?: ReactNode;
}) {
  return (
    <div className="item-head">
      {icon && (
        <span className="item-icon" aria-hidden="true">
          {icon}
        </span>
      )}
      <div className="item-main">
        <div className="item-title-row">
          <span className="item-title">{title}</span>
          {at !== undefined && (
            <time className="muted small" dateTime={new Date(at).toISOString()}>
              {formatAgo(at)}
            </time>
          )}
        </div>
        {meta}
      </div>
      {status && <span className={`pill tone-${status.tone}`}>{status.text}</span>}
      {actions && <div className="item-actions">{actions}</div>}
    </div>
  );
}
