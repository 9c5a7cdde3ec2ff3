import { useId, useState, type FormEvent } from 'react';
import type { PathInfo, Plan, Settings, SettingsPatch } from '../../../common/contract.ts';
import { PathDot } from '../components/Bars.tsx';
import { TYPE_LABEL } from '../components/Icon.tsx';
import { LoadableView } from '../components/States.tsx';
import { Section, ViewHeader } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { errorMessage } from '../../../common/errors.ts';
import { formatBytes, formatMoney, formatRate } from '../../../common/format.ts';
import { PlanEditor } from './PlanEditor.tsx';

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
  return (
    <>
      <Plans settings={settings} save={save} />
      <Toggles settings={settings} save={save} />
      <GeneralForm settings={settings} save={save} />
    </>
  );
}

function describePlan(plan: Plan): string {
  const parts = [
    plan.capBytes !== null ? `${formatBytes(plan.capBytes)} cap` : 'no cap',
    plan.cycle.kind === 'monthly' ? `resets on day ${plan.cycle.startDay}` : 'rolling 30 days',
    plan.pricePerGb > 0 ? `${formatMoney(plan.pricePerGb, plan.currency)}/GB` : 'no price',
  ];
  if (plan.capBytes !== null) {
    parts.push(
      plan.atCap === 'stop'
        ? 'stops at the cap'
        : plan.atCap === 'rate-limit'
          ? `slows to ${formatRate(plan.rateLimitBps)} at the cap`
          : 'keeps going past the cap',
    );
  }
  return parts.join(' · ');
}

function Plans({ settings, save }: { settings: Settings; save: (patch: SettingsPatch) => Promise<void> }) {
  const { paths, colors } = useDashboard();
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const known = (valueOf(paths.data) ?? []).filter((p) => p.type !== 'loopback' && p.type !== 'virtual');
  const names = [...new Set([...known.map((p) => p.name), ...Object.keys(settings.plans)])].sort();
  const byName = new Map<string, PathInfo>(known.map((p) => [p.name, p]));
  const setPlan = async (name: string, plan: Plan | null): Promise<void> => {
    const plans = { ...settings.plans };
    if (plan) plans[name] = plan;
    else delete plans[name];
    await save({ plans });
  };
  return (
    <Section
      title="Data plans"
      description="A plan gives a path its cap, billing cycle and price, so Pathwise can forecast, cost and stop at the cap."
    >
      {names.length === 0 ? (
        <p className="muted">No network paths yet. Plans can be set once a path has appeared.</p>
      ) : (
        <ul className="plan-list" aria-label="Data plans">
          {names.map((name) => {
            const plan = settings.plans[name];
            const path = byName.get(name);
            return (
              <li key={name} className="plan-item" aria-label={name}>
                <div className="plan-row">
                  <span className="cell-path">
                    <PathDot color={colors(name)} /> <strong>{name}</strong>
                  </span>
                  <span className="muted small">
                    {path ? TYPE_LABEL[path.type] : 'not connected'}
                    {path?.metered ? ' · metered' : ''}
                  </span>
                  <span className="plan-summary">
                    {plan ? describePlan(plan) : <span className="muted">No plan</span>}
                  </span>
                  <span className="plan-actions">
                    {editing !== name && (
                      <button
                        type="button"
                        className="btn btn-sm"
                        aria-label={`${plan ? 'Edit' : 'Add'} plan for ${name}`}
                        onClick={() => setEditing(name)}
                      >
                        {plan ? 'Edit' : 'Add plan'}
                      </button>
                    )}
                    {plan && editing !== name && (
                      <button
                        type="button"
                        className="btn btn-sm btn-ghost"
                        aria-label={`Remove plan for ${name}`}
                        onClick={() => {
                          setError(null);
                          setPlan(name, null).catch((e: unknown) => setError(errorMessage(e)));
                        }}
                      >
                        Remove
                      </button>
                    )}
                  </span>
                </div>
                {editing === name && (
                  <PlanEditor
                    name={name}
                    plan={plan}
                    onCancel={() => setEditing(null)}
                    onSave={async (next) => {
                      await setPlan(name, next);
                      setEditing(null);
                    }}
                  />
                )}
              </li>
            );
          })}
        </ul>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Section>
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

export function parseThresholds(text: string): number[] | string {
  const parts = text
    .split(/[,\s]+/)
    .map((p) => p.trim().replace(/%$/, ''))
    .filter(Boolean);
  if (parts.length > 8) return 'Use at most 8 thresholds.';
  const values: number[] = [];
  for (const part of parts) {
    const n = Number(part);
    if (!Number.isFinite(n) || n <= 0 || n > 200) return `"${part}" is not a percentage from 1 to 200.`;
    values.push(n / 100);
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

function GeneralForm({
  settings,
  save,
}: {
  settings: Settings;
  save: (patch: SettingsPatch) => Promise<void>;
}) {
  const id = useId();
  const [thresholds, setThresholds] = useState(
    settings.capThresholds.map((t) => `${Math.round(t * 100)}%`).join(', '),
  );
  const [probeUrl, setProbeUrl] = useState(settings.probeUrl);
  const [interval, setIntervalText] = useState(String(Math.round(settings.probeIntervalMs / 1000)));
  const [downloadDir, setDownloadDir] = useState(settings.downloadDir);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<string | null>(null);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setStatus(null);
    const next: Record<string, string> = {};
    const parsed = parseThresholds(thresholds);
    if (typeof parsed === 'string') next['thresholds'] = parsed;
    const url = probeUrl.trim();
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      next['probeUrl'] = 'Enter an http:// or https:// address that answers quickly, such as a 204 endpoint.';
    }
    const seconds = Number(interval);
    if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600) {
      next['interval'] = 'Check every 1 to 3600 seconds.';
    }
    if (!downloadDir.trim()) next['downloadDir'] = 'Choose the folder downloads are saved in.';
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    try {
      await save({
        capThresholds: parsed as number[],
        probeUrl: url,
        probeIntervalMs: Math.round(seconds * 1000),
        downloadDir: downloadDir.trim(),
      });
      setStatus('Saved.');
    } catch (error) {
      setErrors({ form: errorMessage(error) });
    }
  };

  const field = (
    key: string,
    label: string,
    value: string,
    set: (v: string) => void,
    hint: string,
    extra = {},
    wide = false,
  ) => (
    <div className={wide ? 'field field-wide' : 'field'}>
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        value={value}
        onChange={(e) => set(e.target.value)}
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={`${id}-${key}-hint`}
        spellCheck={false}
        {...extra}
      />
      <p className={errors[key] ? 'field-error' : 'field-hint'} id={`${id}-${key}-hint`}>
        {errors[key] ?? hint}
      </p>
    </div>
  );

  return (
    <Section title="Alerts, checks and downloads">
      <form
        className="settings-form"
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-label="General settings"
      >
        <div className="form-grid">
          {field(
            'thresholds',
            'Cap alerts at',
            thresholds,
            setThresholds,
            'Percentages of each cap, e.g. 75%, 100%.',
          )}
          {field(
            'interval',
            'Check paths every (seconds)',
            interval,
            setIntervalText,
            'How often each path’s internet access is probed.',
            {
              inputMode: 'numeric',
            },
          )}
          {field(
            'probeUrl',
            'Connectivity check address',
            probeUrl,
            setProbeUrl,
            'A small http(s) request made over each path to measure latency and find captive portals.',
            { className: 'mono' },
            true,
          )}
          {field(
            'downloadDir',
            'Download folder',
            downloadDir,
            setDownloadDir,
            'New downloads are saved here.',
            { className: 'mono' },
            true,
          )}
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary">
            Save changes
          </button>
          {status && (
            <span className="form-status" role="status">
              {status}
            </span>
          )}
          {errors['form'] && (
            <p className="form-error" role="alert">
              {errors['form']}
            </p>
          )}
        </div>
      </form>
    </Section>
  );
}
