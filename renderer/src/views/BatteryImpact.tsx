import type { Battery, UsageSummary } from '../../../common/contract.ts';
import { formatEnergy } from '../../../common/format.ts';
import { PathDot } from '../components/Bars.tsx';
import { Icon } from '../components/Icon.tsx';
import { Section } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';

export function BatteryImpact({ summary }: { summary: UsageSummary }) {
  const { colors, battery } = useDashboard();
  const live = valueOf(battery.data) ?? summary.battery;
  const max = Math.max(...summary.paths.map((p) => p.energyWh), 0.000001);
  return (
    <Section
      title="Battery impact"
      description="Radio energy per path this cycle, from a measured power model (LTE and Wi-Fi coefficients)."
    >
      <div className="battery-layout">
        <BatteryCard battery={live} />
        <ul className="energy-list" aria-label="Energy per path">
          {summary.paths.map((p) => (
            <li key={p.name}>
              <span className="cell-path">
                <PathDot color={colors(p.name)} /> {p.name}
              </span>
              <svg className="energy-bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">
                <rect x={0} y={0} width={100} height={6} rx={3} className="energy-track" />
                <rect x={0} y={0} width={(p.energyWh / max) * 100} height={6} rx={3} fill={colors(p.name)} />
              </svg>
              <span className="num">{formatEnergy(p.energyWh)}</span>
              <span className="num muted">
                {p.energyBatteryPct !== null ? `${p.energyBatteryPct.toFixed(1)}% of battery` : 'no battery'}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </Section>
  );
}

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
            ? `Drawing ${battery.dischargeW.toFixed(1)} W now (measured)`
            : 'Discharge rate shows while on battery'}
          {battery.capacityWh !== null && ` · ${battery.capacityWh.toFixed(0)} Wh capacity`}
        </div>
      </div>
    </div>
  );
}
