import type { PathInfo } from '../../main/contract.ts';

const TYPE_LABEL: Record<PathInfo['type'], string> = {
  ethernet: 'Ethernet',
  wifi: 'Wi-Fi',
  cellular: 'Cellular',
  tether: 'Phone tether',
  vpn: 'VPN',
  loopback: 'Loopback',
  virtual: 'Virtual',
  unknown: 'Other',
};

export function PathList({ paths }: { paths: PathInfo[] }) {
  if (paths.length === 0) {
    return (
      <p className="muted">No network interfaces found. Connect Wi-Fi, Ethernet or a phone to get started.</p>
    );
  }
  return (
    <ul className="path-list" aria-label="Network interfaces">
      {paths.map((path) => (
        <li key={path.name} className={`path-card ${path.up ? 'is-up' : 'is-down'}`} aria-label={path.name}>
          <div className="path-head">
            <span className={`type-icon type-${path.type}`} aria-hidden="true" />
            <span className="path-name">{path.name}</span>
            <span className={`status ${path.up ? 'up' : 'down'}`}>{path.up ? 'Up' : 'Down'}</span>
          </div>
          <div className="path-meta">
            <span>{TYPE_LABEL[path.type]}</span>
            {path.metered && <span className="badge metered">Metered</span>}
          </div>
          <div className="path-addresses">
            {path.addresses.length > 0 ? path.addresses.join(' · ') : 'No address'}
          </div>
        </li>
      ))}
    </ul>
  );
}
