import { version as reactVersion, license as reactLicense } from 'react/package.json';
import { version as reactDomVersion, license as reactDomLicense } from 'react-dom/package.json';
import { version as rechartsVersion, license as rechartsLicense } from 'recharts/package.json';
import { useEffect, useState } from 'react';
import type { About } from '../../../common/contract.ts';
import { errorMessage } from '../../../common/errors.ts';
import { formatDateTime } from '../../../common/format.ts';
import { Section } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import './settingsExtras.css';

type Licence = About['licences'][number];

/** What the dashboard's own bundle holds (its licences are read when it is built). */
const DASHBOARD_LICENCES: Licence[] = [
  { name: 'react', version: reactVersion, license: reactLicense },
  { name: 'react-dom', version: reactDomVersion, license: reactDomLicense },
  { name: 'recharts', version: rechartsVersion, license: rechartsLicense },
];

/** The core's list and the dashboard's, each package once, by name. */
export function allLicences(core: readonly Licence[]): Licence[] {
  const byName = new Map<string, Licence>();
  for (const licence of [...core, ...DASHBOARD_LICENCES]) byName.set(licence.name, licence);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Problems since the start, shown where a user looks, not only in the console or the log. */
export function StartupWarnings({ warnings }: { warnings: About['warnings'] }) {
  if (warnings.length === 0) return null;
  return (
    <div className="startup-warnings" role="status" aria-label="Warnings">
      <strong>
        {warnings.length === 1 ? 'Pathwise has a warning' : `Pathwise has ${warnings.length} warnings`}
      </strong>
      <ul>
        {warnings.map((w, i) => (
          <li key={i}>
            <time className="muted">{formatDateTime(w.at)}</time> {w.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The app's About: the version, where its data and log are, what it runs on and its licences. */
export function useAbout(): { about: About | null; error: string | null } {
  const { api } = useDashboard();
  const [about, setAbout] = useState<About | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api
      .invoke('app.about')
      .then((value) => live && setAbout(value))
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [api]);
  return { about, error };
}

export function AboutPanel({ about, error }: { about: About | null; error: string | null }) {
  if (error) {
    return (
      <Section title="About Pathwise">
        <p className="muted">{error}</p>
      </Section>
    );
  }
  if (!about) return null;
  const licences = allLicences(about.licences);
  return (
    <Section title="About Pathwise">
      <dl className="about-list">
        <dt>Version</dt>
        <dd>
          {about.version} ({about.shell === 'electron' ? 'desktop app' : 'pathwise serve'})
        </dd>
        <dt>Runs on</dt>
        <dd>
          {Object.entries(about.runtime)
            .map(([name, version]) => `${name} ${version}`)
            .join(', ')}
        </dd>
        <dt>Data folder</dt>
        <dd className="mono">{about.dataDir}</dd>
        <dt>Log file</dt>
        <dd className="mono">{about.logFile ?? 'None: "pathwise serve" logs to its terminal.'}</dd>
        {about.updates ? (
          <>
            <dt>Updates</dt>
            <dd>{about.updates.replace(/^Updates: /, '')}</dd>
          </>
        ) : null}
      </dl>
      <details className="about-licences">
        <summary>Open-source licences ({licences.length} packages)</summary>
        <table>
          <tbody>
            {licences.map((l) => (
              <tr key={l.name}>
                <th scope="row" className="mono">
                  {l.name}
                </th>
                <td>{l.version}</td>
                <td>{l.license}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">
          Pathwise itself is MIT-licensed. The desktop app also bundles Electron (MIT) and Chromium
          (BSD-3-Clause and others).
        </p>
      </details>
    </Section>
  );
}
