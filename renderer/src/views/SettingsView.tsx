import { useId, useState } from 'react';
import type { Settings, SettingsPatch } from '../../../common/contract.ts';
import { LoadableView } from '../components/States.tsx';
import { Section, ViewHeader } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { errorMessage } from '../../../common/errors.ts';
import { DataPlans } from './DataPlans.tsx';
import { AboutPanel, StartupWarnings, useAbout } from './AboutPanel.tsx';
import { GeneralForm } from './GeneralForm.tsx';
import { PathOverrides } from './PathOverrides.tsx';

export function SettingsView() {
  const { settings } = useDashboard();
  return (
    <>
      <ViewHeader title="Settings" subtitle="Plans, alerts and how Pathwise checks your paths." />
      <LoadableView data={settings.data} what="settings" onRetry={settings.reload}>
        {(value) => <SettingsBody settings={value} />}
      </LoadableView>
    </>
  );
}

function SettingsBody({ settings }: { settings: Settings }) {
  const { api, settings: live } = useDashboard();
  const save = async (patch: SettingsPatch): Promise<void> => {
    live.set(await api.invoke('settings.update', patch));
  };
  const { about, error } = useAbout();
  return (
    <>
      <StartupWarnings warnings={about?.warnings ?? []} />
      <DataPlans settings={settings} save={save} />
      <PathOverrides settings={settings} />
      <Toggles settings={settings} save={save} />
      <GeneralForm settings={settings} save={save} />
      <AboutPanel about={about} error={error} />
    </>
  );
}

function Toggles({ settings, save }: { settings: Settings; save: (patch: SettingsPatch) => Promise<void> }) {
  const { info } = useDashboard();
  const [error, setError] = useState<string | null>(null);
  const desktop = valueOf(info.data)?.shell !== 'headless';
  const toggle = (patch: SettingsPatch): void => {
    setError(null);
    save(patch).catch((e: unknown) => setError(errorMessage(e)));
  };
  return (
    <Section title="Notifications and startup">
      <div className="toggle-list">
        <Toggle
          label="Show notifications"
          hint="Caps, forecasts, unexpected cellular use and finished downloads, as system notifications."
          checked={settings.notifications}
          onChange={(notifications) => toggle({ notifications })}
        />
        <Toggle
          label="Open Pathwise at login"
          hint={
            desktop
              ? 'Starts in the tray when you log in, so transfers and usage are always tracked.'
              : 'Applies to the desktop app; this browser dashboard is served by "pathwise serve".'
          }
          checked={settings.launchAtLogin}
          onChange={(launchAtLogin) => toggle({ launchAtLogin })}
        />
        <Toggle
          label="Keep the computer awake while downloading"
          hint={
            desktop
              ? 'Stops the system from sleeping while a download runs; it may sleep again once none does.'
              : 'Applies to the desktop app.'
          }
          checked={settings.keepAwake === true}
          onChange={(keepAwake) => toggle({ keepAwake })}
        />
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Section>
  );
}

function Toggle({
  label,
  hint,
  checked,
  onChange,
}: {
  label: string;
  hint: string;
  checked: boolean;
  onChange: (value: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="toggle-row">
      <div>
        <label htmlFor={id} className="toggle-label">
          {label}
        </label>
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      </div>
      <input
        id={id}
        type="checkbox"
        role="switch"
        className="switch"
        checked={checked}
        aria-describedby={`${id}-hint`}
        onChange={(e) => onChange(e.target.checked)}
      />
    </div>
  );
}
