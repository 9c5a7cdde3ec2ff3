import type { PathInfo, PathUsage, Preference } from '../../../common/contract.ts';
import { CapMeter } from '../components/Bars.tsx';
import { Icon, TYPE_ICON, TYPE_LABEL } from '../components/Icon.tsx';
import { PreferenceControl } from './PreferenceControl.tsx';
import { HealthBadges, HealthNote } from './PathHealth.tsx';
import { formatBytes, formatDate, formatEnergy, formatMoney, formatRate } from '../../../common/format.ts';

export { PREFERENCE_OPTIONS } from './PreferenceControl.tsx';

function healthPill(path: PathInfo): { text: string; tone: 'good' | 'warn' | 'bad' | 'muted' } {
  if (!path.up) return { text: 'Down', tone: 'bad' };
  switch (path.health?.status) {
    case 'good':
      return { text: 'Online', tone: 'good' };
    case 'degraded':
      return { text: 'Degraded', tone: 'warn' };
    case 'suspect':
      return { text: 'Checking…', tone: 'warn' };
    case 'captive':
      return { text: 'Sign-in required', tone: 'warn' };
    case 'offline':
      return { text: 'No internet', tone: 'bad' };
    default:
      return {
        text: path.addresses.length > 0 ? 'Up' : 'No address',
        tone: path.addresses.length > 0 ? 'good' : 'muted',
      };
  }
}

export function PathCard({
  path,
  color,
  usage,
  rates,
  warnAt,
  onPreference,
}: {
  path: PathInfo;
  color: string;
  usage: PathUsage | undefined;
  rates: { rxRate: number; txRate: number; appRate: number } | undefined;
  warnAt: number;
  onPreference: (name: string, preference: Preference) => Promise<void>;
}) {
  const pill = healthPill(path);
  const subtitle = [
    TYPE_LABEL[path.type],
    ridesOnText(path.ridesOn),
    path.ssid,
    path.speedMbps ? `${path.speedMbps} Mbit/s link` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <li className={`path-card${path.up ? '' : ' is-down'}`} aria-label={path.name}>
      <div className="path-card-head">
        {/* Colour via the CSSOM (React's style prop), which a style-src 'self' CSP allows. */}
        <span className="path-type-icon" aria-hidden="true" style={{ color }}>
          <Icon name={TYPE_ICON[path.type]} size={20} />
        </span>
        <div className="path-card-title">
          <div className="path-name">{path.name}</div>
          <div className="path-subtitle">{subtitle}</div>
        </div>
        <span className={`pill tone-${pill.tone}`} title={path.up ? path.health?.detail : undefined}>
          {pill.text}
        </span>
      </div>
      <PathBadges path={path} />
      <HealthNote path={path} />
      <PathStats path={path} rates={rates} />
      {usage && <PathUsageSummary name={path.name} usage={usage} warnAt={warnAt} />}
      <PreferenceChoice path={path} onPreference={onPreference} />
    </li>
  );
}

/** A VPN's carrier: "over wlan0", or "over another path" when it is not known which. */
function ridesOnText(ridesOn: string | null | undefined): string | null {
  if (ridesOn === undefined) return null;
  return ridesOn === null ? 'over another path' : `over ${ridesOn}`;
}

/** What is worth a second look about a path: metered, whether its binding was proven, a portal. */
function PathBadges({ path }: { path: PathInfo }) {
  return (
    <div className="path-badges">
      {path.metered && (
        <span className="badge badge-warn" title={meteredTitle(path)}>
          Metered
        </span>
      )}
      {path.binding?.verified === false && (
        <span
          className="badge badge-bad"
          title="Bytes bound to this path did not leave through its interface"
        >
          Unverified
        </span>
      )}
      {path.binding?.verified === true && (
        <span className="badge badge-good" title="The interface's own counters confirmed the binding">
          Verified
        </span>
      )}
      {path.health?.status === 'captive' && <span className="badge badge-warn">Captive portal</span>}
      <HealthBadges path={path} />
    </div>
  );
}

/** Rates from the live samples when there are any (fresher), else from the path as last listed. */
function PathStats({
  path,
  rates,
}: {
  path: PathInfo;
  rates: { rxRate: number; txRate: number } | undefined;
}) {
  const rtt = path.health?.rttMs;
  return (
    <dl className="path-stats">
      {/* A path that is down moves nothing: its last rates would be stale. */}
      <div>
        <dt>Down</dt>
        <dd>{path.up ? formatRate(rates?.rxRate ?? path.rxRate) : '—'}</dd>
      </div>
      <div>
        <dt>Up</dt>
        <dd>{path.up ? formatRate(rates?.txRate ?? path.txRate) : '—'}</dd>
      </div>
      <div>
        <dt>Latency</dt>
        <dd>{rtt !== null && rtt !== undefined ? `${Math.round(rtt)} ms` : '—'}</dd>
      </div>
    </dl>
  );
}

/** This cycle on the path: bytes against its cap, energy and cost. */
function PathUsageSummary({ name, usage, warnAt }: { name: string; usage: PathUsage; warnAt: number }) {
  return (
    <div className="path-usage">
      <div className="path-usage-row">
        <span>
          <strong>{formatBytes(usage.allBytes)}</strong>
          {usage.capBytes !== null ? ` of ${formatBytes(usage.capBytes)}` : ' this cycle'}
        </span>
        <span className="muted">
          {usage.capBytes !== null ? `resets ${formatDate(usage.cycle.end)}` : 'no cap set'}
        </span>
      </div>
      {usage.capBytes !== null && (
        <CapMeter
          label={`${name} data used of its cap`}
          used={usage.allBytes}
          cap={usage.capBytes}
          forecast={usage.forecastBytes}
          warnAt={warnAt}
        />
      )}
      {usage.ridesOn !== undefined && (
        <div className="path-usage-row muted small">
          {usage.ridesOn === null
            ? 'Also counted on the path under it; not again in totals'
            : `Also counted on ${usage.ridesOn}; not again in totals`}
        </div>
      )}
      <div className="path-usage-row muted small">
        <span>
          <Icon name="bolt" size={13} /> {formatEnergy(usage.energyWh)}
        </span>
        <span>{usage.currency ? `${formatMoney(usage.cost, usage.currency)} so far` : 'no price set'}</span>
      </div>
    </div>
  );
}

/** How Pathwise may use the path: explained, confirmed, saved without losing focus (PreferenceControl). */
function PreferenceChoice(props: {
  path: PathInfo;
  onPreference: (name: string, preference: Preference) => Promise<void>;
}) {
  return <PreferenceControl {...props} />;
}

function meteredTitle(path: PathInfo): string {
  switch (path.meteredSource) {
    case 'os':
      return 'The operating system marks this connection as metered';
    case 'user':
      return 'You marked this path as metered';
    default:
      return path.ridesOn
        ? `This VPN rides on ${path.ridesOn}, which is metered`
        : 'Cellular and tethered paths are treated as metered';
  }
}
