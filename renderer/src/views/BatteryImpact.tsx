import type { Battery, PathUsage, UsageSummary } from '../../../common/contract.ts';
import { formatEnergy } from '../../../common/format.ts';
import { LTE, WIFI, type RadioModel } from '../../../common/radioModel.ts';
import { PathDot } from '../components/Bars.tsx';
import { Icon } from '../components/Icon.tsx';
import { Section } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import './batteryImpact.css';

const MODEL = 'the radio power model of Huang et al. (MobiSys 2012) for LTE and Wi-Fi';

/** A path's energy range; a single figure for an older core that sent none. */
function rangeOf(p: PathUsage): { low: number; high: number } {
  return { low: p.energyLowWh ?? p.energyWh, high: p.energyHighWh ?? p.energyWh };
}

/** "120–190 mWh", "1.20–1.90 Wh", or one figure when the two are (nearly) the same. */
export function formatEnergyRange(low: number, high: number): string {
  if (high - low <= Math.max(high * 0.02, 1e-6)) return formatEnergy((low + high) / 2);
  if (high < 1) return `${(low * 1000).toFixed(high < 0.01 ? 1 : 0)}–${formatEnergy(high)}`;
  return `${low.toFixed(2)}–${formatEnergy(high)}`;
}

function percentRange(low: number, high: number, capacityWh: number): string {
  const pct = (wh: number): string => ((wh / capacityWh) * 100).toFixed(1);
  return pct(low) === pct(high) ? `${pct(high)}%` : `${pct(low)}–${pct(high)}%`;
}

/** Whose battery the path's radio drains, and how much of this machine's. */
function whose(p: PathUsage, capacityWh: number | null): string {
  const on = p.energyOn ?? 'laptop';
  if (on === 'phone') return 'on the phone’s battery';
  if (on === 'none') return 'no radio to model';
  if (p.energyLowWh === undefined || p.energyHighWh === undefined || !capacityWh) {
    return p.energyBatteryPct !== null ? `${p.energyBatteryPct.toFixed(1)}% of battery` : 'no battery';
  }
  return `${percentRange(p.energyLowWh, p.energyHighWh, capacityWh)} of battery`;
}

export function BatteryImpact({ summary }: { summary: UsageSummary }) {
  const { colors, battery } = useDashboard();
  const live = valueOf(battery.data) ?? summary.battery;
  // The capacity the ledger's shares were taken of (else the live reading's).
  const measured = summary.battery ?? live;
  const capacityWh = measured?.present ? measured.capacityWh : null;
  const max = Math.max(...summary.paths.map((p) => rangeOf(p).high), 0.000001);
  return (
    <Section
      title="Battery impact"
      description={`Radio energy per path this cycle, estimated with ${MODEL}: a model, not a measurement. What the battery measures is beside it.`}
    >
      <div className="battery-layout">
        <BatteryCard battery={live} />
        <div>
          <ul className="energy-list energy-ranges" aria-label="Energy per path">
            {summary.paths.map((p) => {
              const { low, high } = rangeOf(p);
              const none = p.energyOn === 'none';
              return (
                <li key={p.name} title={none ? undefined : `Model: ${formatEnergy(p.energyWh)} mid-range`}>
                  <span className="cell-path">
                    <PathDot color={colors(p.name)} /> {p.name}
                  </span>
                  <svg
                    className="energy-bar"
                    viewBox="0 0 100 6"
                    preserveAspectRatio="none"
                    aria-hidden="true"
                  >
                    <rect x={0} y={0} width={100} height={6} rx={3} className="energy-track" />
                    <rect
                      x={0}
                      y={0}
                      width={(high / max) * 100}
                      height={6}
                      rx={3}
                      fill={colors(p.name)}
                      fillOpacity={0.35}
                    />
                    <rect x={0} y={0} width={(low / max) * 100} height={6} rx={3} fill={colors(p.name)} />
                  </svg>
                  <span className="num">{none ? '—' : formatEnergyRange(low, high)}</span>
                  <span className="num muted">{whose(p, capacityWh)}</span>
                </li>
              );
            })}
          </ul>
          <ModelNote />
        </div>
      </div>
    </Section>
  );
}

const mw = (n: number): string => `${n.toLocaleString('en-US', { maximumFractionDigits: 2 })} mW`;
const ms = (s: number): string => `${Math.round(s * 1000)} ms`;

function coefficients(radio: RadioModel): string {
  return (
    `${radio.label}: ${mw(radio.betaMw)} while moving data, plus ${mw(radio.alphaDownMwPerMbps)} per Mbit/s down ` +
    `and ${mw(radio.alphaUpMwPerMbps)} per Mbit/s up; ${mw(radio.promotionMw)} for ${ms(radio.promotionS)} ` +
    `to wake from idle; then ${mw(radio.tailMw)} until the next burst, for ${radio.tailS < 1 ? ms(radio.tailS) : `${radio.tailS.toFixed(1)} s`} at most.`
  );
}

/** The model's coefficients, where its figures are shown, and why they are a range. */
function ModelNote() {
  return (
    <details className="energy-model">
      <summary>How this is estimated</summary>
      <p>
        Estimated with {MODEL} (Tables 3 and 4 of the paper), from each path’s bytes, the seconds it was
        active and the bursts it made.
      </p>
      <ul>
        <li>{coefficients(LTE)}</li>
        <li>{coefficients(WIFI)}</li>
      </ul>
      <p>
        The ledger keeps per minute (per hour after three days) how many seconds a path was active and how
        many bursts it made, not when each began, so how long each tail ran is known only within bounds: hence
        a range. The coefficients were measured on a 2011 LTE phone; this machine’s modem or today’s phone
        differ.
      </p>
      <p>
        A tether’s radio is the phone’s: its energy is on the phone’s battery, not this machine’s (the USB
        link costs the laptop next to nothing). Wired paths have no radio to model.
      </p>
    </details>
  );
}

const DISCHARGE_SOURCE: Record<NonNullable<Battery['dischargeSource']>, string> = {
  'power-meter': 'by the battery’s power meter',
  'energy-drop': 'from the battery’s falling charge',
};

function BatteryCard({ battery }: { battery: Battery | null | undefined }) {
  if (!battery || !battery.present) {
    return (
      <div className="battery-card">
        <Icon name="battery" size={22} />
        <div>
          <div className="battery-title">No battery</div>
          <div className="muted small">This machine runs on mains power; energy is shown in watt-hours.</div>
        </div>
      </div>
    );
  }
  const source = battery.dischargeSource ? `, ${DISCHARGE_SOURCE[battery.dischargeSource]}` : '';
  return (
    <div className="battery-card">
      <Icon name={battery.charging ? 'bolt' : 'battery'} size={22} />
      <div>
        <div className="battery-title">
          {battery.percent !== null ? `${Math.round(battery.percent)}%` : 'Battery'}{' '}
          <span className="muted small">
            {battery.charging ? 'charging' : battery.acConnected ? 'plugged in' : 'on battery'}
          </span>
        </div>
        <div className="muted small">
          {battery.dischargeW !== null
            ? `Drawing ${battery.dischargeW.toFixed(1)} W now (measured): the whole machine${source}`
            : 'The measured discharge rate shows while on battery'}
          {battery.capacityWh !== null && ` · ${battery.capacityWh.toFixed(0)} Wh capacity`}
        </div>
      </div>
    </div>
  );
}
