import { useState } from 'react';
import type { PathInfo, PathType, Settings } from '../../../common/contract.ts';
import { errorMessage } from '../../../common/errors.ts';
import { Section } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import './settingsExtras.css';

type Override = Settings['overrides'][string];

export const PATH_TYPE_LABELS: Record<PathType, string> = {
  ethernet: 'Ethernet',
  wifi: 'Wi-Fi',
  cellular: 'Cellular',
  tether: 'Tethered phone',
  vpn: 'VPN',
  loopback: 'Loopback',
  virtual: 'Virtual',
  unknown: 'Unknown',
};

/** Every path the monitor sees, and any the settings correct that isn't here now. */
function rows(
  paths: readonly PathInfo[],
  overrides: Settings['overrides'],
): Array<{ name: string; path?: PathInfo }> {
  const seen = paths.map((p) => ({ name: p.name, path: p }));
  const absent = Object.keys(overrides)
    .filter((name) => !paths.some((p) => p.name === name))
    .map((name) => ({ name }));
  return [...seen, ...absent];
}

/**
 * The user's corrections of what Pathwise detected about a path: its type and whether it is
 * metered ("Detected" gives it back to detection), as `pathwise override` sets them. Saved at once
 * through `paths.setOverride`; the monitor applies them and every UI hears the new settings.
 */
export function PathOverrides({ settings }: { settings: Settings }) {
  const { api, paths, settings: live } = useDashboard();
  const [error, setError] = useState<string | null>(null);
  const list = rows(valueOf(paths.data) ?? [], settings.overrides);
  const change = (name: string, next: Override): void => {
    setError(null);
    api
      .invoke('paths.setOverride', name, next)
      .then(() => api.invoke('settings.get'))
      .then((value) => live.set(value))
      .catch((e: unknown) => setError(errorMessage(e)));
  };
  return (
    <Section
      title="Path types and metering"
      description="Correct what Pathwise detected: a phone's hotspot that looks like Wi-Fi, a metered link the system doesn't flag."
    >
      {list.length === 0 ? (
        <p className="muted">No network paths yet.</p>
      ) : (
        <table className="override-table">
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Type</th>
              <th scope="col">Metered</th>
            </tr>
          </thead>
          <tbody>
            {list.map(({ name, path }) => (
              <OverrideRow
                key={name}
                name={name}
                path={path}
                value={settings.overrides[name] ?? {}}
                onChange={(next) => change(name, next)}
              />
            ))}
          </tbody>
        </table>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Section>
  );
}

function OverrideRow({
  name,
  path,
  value,
  onChange,
}: {
  name: string;
  path: PathInfo | undefined;
  value: Override;
  onChange: (next: Override) => void;
}) {
  // What detection says (without the user's word), for the "Detected" choice's label.
  const detectedType = value.type === undefined ? path?.type : undefined;
  const detectedMetered = value.metered === undefined && path ? path.metered : undefined;
  const set = (patch: Partial<Record<keyof Override, unknown>>): void => {
    const next: Override = { ...value, ...(patch as Override) };
    if (next.type === undefined) delete next.type;
    if (next.metered === undefined) delete next.metered;
    onChange(next);
  };
  return (
    <tr>
      <th scope="row" className="mono">
        {name}
        {!path && <span className="muted"> (not connected)</span>}
      </th>
      <td>
        <select
          aria-label={`${name} type`}
          value={value.type ?? ''}
          onChange={(e) => set({ type: e.target.value === '' ? undefined : (e.target.value as PathType) })}
        >
          <option value="">Detected{detectedType ? `: ${PATH_TYPE_LABELS[detectedType]}` : ''}</option>
          {(Object.keys(PATH_TYPE_LABELS) as PathType[]).map((type) => (
            <option key={type} value={type}>
              {PATH_TYPE_LABELS[type]}
            </option>
          ))}
        </select>
      </td>
      <td>
        <select
          aria-label={`${name} metered`}
          value={value.metered === undefined ? '' : value.metered ? 'yes' : 'no'}
          onChange={(e) => set({ metered: e.target.value === '' ? undefined : e.target.value === 'yes' })}
        >
          <option value="">
            Detected{detectedMetered === undefined ? '' : detectedMetered ? ': metered' : ': not metered'}
          </option>
          <option value="yes">Metered</option>
          <option value="no">Not metered</option>
        </select>
      </td>
    </tr>
  );
}
