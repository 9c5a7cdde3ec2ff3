import { Fragment, useState } from 'react';
import type { PathUsage, Plan, UsageAdjustment, UsageSummary } from '../../../common/contract.ts';
import { formatBytes, formatMoney, formatPercent } from '../../../common/format.ts';
import { CapMeter, PathDot } from '../components/Bars.tsx';
import { Section } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import {
  capOutlook,
  CORRECTION_NOTE,
  costSplit,
  ESTIMATE_NOTE,
  forecastOf,
  forecastTop,
  formatByteRange,
  formatMoneyRange,
  formatSignedBytes,
  lastDay,
  NO_FORECAST,
} from '../lib/usageText.ts';
import { UsageCorrection } from './UsageCorrection.tsx';

const COLUMNS = 6;

/**
 * This cycle per path: all traffic (marked where partly estimated, with any correction), what
 * Pathwise moved, the cap, the forecast as a range (or why there is none) and the cost split into
 * fee and per-GB price; each row can be corrected to the carrier's figure or reset.
 */
export function CycleTable({ summary, onChanged }: { summary: UsageSummary; onChanged: () => void }) {
  const { settings, usage } = useDashboard();
  const current = valueOf(settings.data);
  const warnAt = Math.min(...(current?.capThresholds ?? [0.75]), 1);
  const [open, setOpen] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const finish = (result: UsageAdjustment, message: string): void => {
    usage.set(result.usage);
    setOpen(null);
    setDone(message);
    onChanged();
  };
  const estimated = summary.paths.some((p) => (p.estimatedBytes ?? 0) > 0);
  const corrected = summary.paths.some((p) => (p.adjustedBytes ?? 0) !== 0);
  return (
    <Section
      title="This cycle"
      description="All traffic on each path, what Pathwise itself moved, and what it costs. If your carrier counts differently, correct a path to the carrier’s figure."
    >
      {done && (
        <p className="form-status small" role="status">
          {done}
        </p>
      )}
      <div className="table-wrap">
        <table className="data-table" aria-label="This cycle">
          <CycleHead />
          <tbody>
            {summary.paths.map((p) => (
              <Fragment key={p.name}>
                <CycleRow
                  usage={p}
                  plan={current?.plans[p.name]}
                  warnAt={warnAt}
                  open={open === p.name}
                  onToggle={() => {
                    setDone(null);
                    setOpen(open === p.name ? null : p.name);
                  }}
                />
                {open === p.name && (
                  <tr className="correction-row">
                    <td colSpan={COLUMNS}>
                      <UsageCorrection usage={p} onDone={finish} onClose={() => setOpen(null)} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      {(estimated || corrected) && (
        <div className="table-notes small muted">
          {estimated && <p id="cycle-estimate-note">{ESTIMATE_NOTE}</p>}
          {corrected && <p>{CORRECTION_NOTE}</p>}
        </div>
      )}
    </Section>
  );
}

function CycleHead() {
  return (
    <thead>
      <tr>
        <th scope="col">Path</th>
        <th scope="col" className="num">
          All traffic
        </th>
        <th scope="col" className="num">
          By Pathwise
        </th>
        <th scope="col">Cap</th>
        <th scope="col" className="num">
          Forecast
        </th>
        <th scope="col" className="num">
          Cost
        </th>
      </tr>
    </thead>
  );
}

function CycleRow({
  usage: p,
  plan,
  warnAt,
  open,
  onToggle,
}: {
  usage: PathUsage;
  plan: Plan | undefined;
  warnAt: number;
  /** Whether its correction panel is open (below the row). */
  open: boolean;
  onToggle: () => void;
}) {
  const { colors } = useDashboard();
  const forecast = forecastOf(p, plan);
  const split = costSplit(p);
  return (
    <tr aria-label={p.name}>
      <th scope="row">
        <span className="cell-path">
          <PathDot color={colors(p.name)} /> {p.name}
        </span>
        <button
          type="button"
          className="btn btn-sm btn-ghost row-correct"
          aria-label={`Correct ${p.name}’s count`}
          aria-expanded={open}
          title="Correct to your carrier’s figure, or reset this cycle"
          onClick={onToggle}
        >
          Correct…
        </button>
      </th>
      <td className="num">
        <AllTraffic usage={p} />
      </td>
      <td className="num">{formatBytes(p.appBytes)}</td>
      <td className="cap-cell">
        {p.capBytes !== null ? (
          <>
            <CapMeter
              label={`${p.name} data used of its cap`}
              used={p.allBytes}
              cap={p.capBytes}
              forecast={forecastTop(p, forecast)}
              warnAt={warnAt}
            />
            <span className="small muted">
              {formatPercent(p.allBytes / p.capBytes)} of {formatBytes(p.capBytes)}
            </span>
          </>
        ) : (
          <span className="muted">No cap</span>
        )}
      </td>
      <td className={`num${capOutlook(p, forecast, plan) === 'over' ? ' text-bad' : ''}`}>
        <ForecastCell usage={p} plan={plan} />
      </td>
      <td className={p.currency ? 'num' : 'num muted'}>
        {formatMoney(p.cost, p.currency)}
        {split && <span className="cell-note">{split}</span>}
      </td>
    </tr>
  );
}

function AllTraffic({ usage: p }: { usage: PathUsage }) {
  const estimated = p.estimatedBytes ?? 0;
  const adjusted = p.adjustedBytes ?? 0;
  return (
    <>
      {estimated > 0 ? (
        <span aria-describedby="cycle-estimate-note">
          ~{formatBytes(p.allBytes)}
          <span className="cell-note">~{formatBytes(estimated)} estimated</span>
        </span>
      ) : (
        formatBytes(p.allBytes)
      )}
      {adjusted !== 0 && <span className="cell-note">{formatSignedBytes(adjusted)} correction</span>}
    </>
  );
}

function ForecastCell({ usage: p, plan }: { usage: PathUsage; plan: Plan | undefined }) {
  const forecast = forecastOf(p, plan);
  if (forecast.state === 'none') {
    const why = NO_FORECAST[forecast.why];
    return (
      <span className="muted" title={why.explain}>
        {why.label}
        <span className="cell-note">{why.why}</span>
      </span>
    );
  }
  if (forecast.state === 'point') {
    return (
      <>
        {formatBytes(forecast.bytes)}
        {p.currency && <span className="cell-note">{formatMoney(forecast.cost, p.currency)}</span>}
      </>
    );
  }
  const outlook = capOutlook(p, forecast, plan);
  return (
    <>
      {formatByteRange(forecast.lowBytes, forecast.highBytes)} by {lastDay(p.cycle.end)}
      {p.currency && (
        <span className="cell-note">{formatMoneyRange(forecast.lowCost, forecast.highCost, p.currency)}</span>
      )}
      {plan && (outlook === 'reaches' || outlook === 'capped') && (
        <span className="cell-note">stops at the cap</span>
      )}
    </>
  );
}
