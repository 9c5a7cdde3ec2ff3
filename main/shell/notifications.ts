import type { Alert, Settings } from '../../common/contract.ts';

export interface NotificationPort {
  isSupported(): boolean;
  show(
    options: { title: string; body: string; urgency: 'low' | 'normal' | 'critical' },
    onClick: () => void,
  ): void;
}

/**
 * Turns ledger alerts into native notifications: only when the user has notifications on, only
 * once per alert (the ledger never repeats a threshold in a cycle; this guards against the same
 * push arriving twice), and a click opens the dashboard.
 */
export function createAlertNotifier(options: {
  port: NotificationPort;
  settings: () => Settings | undefined;
  onClick: (alert: Alert) => void;
  /** How many alert ids to remember against repeats. */
  remember?: number;
}): (alert: Alert) => boolean {
  const seen = new Set<string>();
  const remember = options.remember ?? 500;
  return (alert) => {
    if (seen.has(alert.id)) return false;
    seen.add(alert.id);
    if (seen.size > remember) seen.delete(seen.values().next().value as string);
    if (alert.read) return false;
    if (options.settings()?.notifications === false) return false;
    if (!options.port.isSupported()) return false;
    const urgency =
      alert.severity === 'critical' ? 'critical' : alert.severity === 'warning' ? 'normal' : 'low';
    options.port.show({ title: alert.title, body: alert.message, urgency }, () => options.onClick(alert));
    return true;
  };
}
