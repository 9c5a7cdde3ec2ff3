import type { PathType } from '../../../common/contract.ts';

/** Line icons drawn inline as SVG (no icon font, nothing fetched: the CSP allows only 'self'). */
const PATHS = {
  overview: 'M4 4h7v7H4zM13 4h7v4h-7zM13 10h7v10h-7zM4 13h7v7H4z',
  transfers: 'M12 3v12m0 0-4.5-4.5M12 15l4.5-4.5M4 17v2.5A1.5 1.5 0 0 0 5.5 21h13a1.5 1.5 0 0 0 1.5-1.5V17',
  usage: 'M4 20V10m5.33 10V4m5.34 16v-7M20 20V8',
  continuity: 'M5 6a2 2 0 1 0 0 .01M19 18a2 2 0 1 0 0 .01M5 8v3a4 4 0 0 0 4 4h6a4 4 0 0 1 4 4M19 6v10',
  alerts: 'M6 16V11a6 6 0 1 1 12 0v5l1.5 2h-15zM10 20.5a2 2 0 0 0 4 0',
  settings:
    'M12 9.2a2.8 2.8 0 1 0 0 5.6 2.8 2.8 0 0 0 0-5.6zM19.4 13.5l1.6 1.2-2 3.4-1.9-.7a7 7 0 0 1-2 1.2L14.8 21h-4l-.3-2.4a7 7 0 0 1-2-1.2l-1.9.7-2-3.4 1.6-1.2a7 7 0 0 1 0-2.4L4.6 9.9l2-3.4 1.9.7a7 7 0 0 1 2-1.2L10.8 3h4l.3 2.4a7 7 0 0 1 2 1.2l1.9-.7 2 3.4-1.6 1.2a7 7 0 0 1 0 2.4z',
  wifi: 'M2.5 9a14 14 0 0 1 19 0M5.5 12.5a9.5 9.5 0 0 1 13 0M8.6 16a5 5 0 0 1 6.8 0M12 19.5h.01',
  cellular: 'M5 20v-3M10 20v-7M15 20V9M20 20V4',
  ethernet: 'M6 3h12v9l-3 3v6H9v-6l-3-3zM10 7v2m4-2v2',
  tether:
    'M8 2.5h8a1.5 1.5 0 0 1 1.5 1.5v16a1.5 1.5 0 0 1-1.5 1.5H8A1.5 1.5 0 0 1 6.5 20V4A1.5 1.5 0 0 1 8 2.5zM11 18h2',
  vpn: 'M12 3l7 3v5c0 5-3 8.5-7 10-4-1.5-7-5-7-10V6zM9.5 12l2 2 3.5-3.5',
  other:
    'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c2.5 2.7 3.5 5.7 3.5 9s-1 6.3-3.5 9c-2.5-2.7-3.5-5.7-3.5-9s1-6.3 3.5-9',
  pause: 'M8 5v14M16 5v14',
  play: 'M7 4.5v15l12-7.5z',
  cancel: 'M6 6l12 12M18 6 6 18',
  folder:
    'M3 6.5A1.5 1.5 0 0 1 4.5 5H9l2 2.5h8.5A1.5 1.5 0 0 1 21 9v9.5a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 18.5z',
  plus: 'M12 5v14M5 12h14',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  warning: 'M12 4 2.5 20h19zM12 10v4.5M12 17.5h.01',
  info: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 11v5.5M12 7.5h.01',
  battery: 'M3 8h15v8H3zM20.5 10.5v3M6 11h5v2H6z',
  bolt: 'M13 2.5 5 13.5h6l-1 8 8-11h-6z',
  handover: 'M4 8h13l-3.5-3.5M20 16H7l3.5 3.5',
  down: 'M12 5v14M6 13l6 6 6-6',
  restore: 'M4 12a8 8 0 0 1 14-5.3L20 9M20 4v5h-5M20 12a8 8 0 0 1-14 5.3L4 15M4 20v-5h5',
  cap: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM7 12h10',
  retry: 'M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7',
  lock: 'M6 11h12v10H6zM8.5 11V8a3.5 3.5 0 0 1 7 0v3',
  empty: 'M4 13l2.5-7.5h11L20 13v5.5a1.5 1.5 0 0 1-1.5 1.5h-13A1.5 1.5 0 0 1 4 18.5zM4 13h4.5l1 2h5l1-2H20',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 18, className }: { name: IconName; size?: number; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}

export const TYPE_ICON: Record<PathType, IconName> = {
  wifi: 'wifi',
  cellular: 'cellular',
  ethernet: 'ethernet',
  tether: 'tether',
  vpn: 'vpn',
  loopback: 'other',
  virtual: 'other',
  unknown: 'other',
};

export const TYPE_LABEL: Record<PathType, string> = {
  ethernet: 'Ethernet',
  wifi: 'Wi-Fi',
  cellular: 'Cellular',
  tether: 'Phone tether',
  vpn: 'VPN',
  loopback: 'Loopback',
  virtual: 'Virtual',
  unknown: 'Other',
};
