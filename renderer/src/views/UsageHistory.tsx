import { useState } from 'react';
import type { UsagePeriod, UsagePeriodQuery } from '../../../common/contract.ts';
import { formatBytes, formatDate, formatDays, formatMoney, formatMonth } from '../../../common/format.ts';
import { usageCsv, usageJson } from '../../../common/usageHistory.ts';
import { PathDot } from '../components/Bars.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { EmptyState, LoadableView } from '../components/States.tsx';
import { Section } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { usePeriods } from '../hooks/usePeriods.ts';
import { downloadText } from '../lib/download.ts';
import { CORRECTION_NOTE, ESTIMATE_NOTE, formatSignedBytes } from '../lib/usageText.ts';

type Kind = UsagePeriodQuery['kind'];

const KINDS: Record<Kind, { label: string; noun: string; file: string }> = {
  day: { label: 'Days', noun: 'day', file: 'days' },
  month: { label: 'Months', noun: 'calendar month', file: 'months' },
  cycle: { label: 'Cycles', noun: 'billing cycle', file: 'cycles' },
};
const OPTIONS = (Object.keys(KINDS) as Kind[]).map((value) => ({ value, label: KINDS[value].label }));

const HISTORY_UNAVAILABLE = {
  icon: 'usage' as const,
  title: 'History is not available',
  text: 'The usage ledger is not running in this Pathwise, so there is no history to show. Restart Pathwise; if it stays like this, run "pathwise usage --days" in a terminal to see why.',
};

/** A period as a person reads it: "Mar 14", "March 2026", "Mar 1 – Mar 31"; "so far" while it runs. */
function periodText(p: UsagePeriod, kind: Kind, now: number): string {
  const start = Date.parse(p.start);
  const text =
    kind === 'day' ? formatDate(start) : kind === 'month' ? formatMonth(start) : formatDays(start, p.end);
  return Date.parse(p.end) > now ? `${text} (so far)` : text;
}

function localToday(): string {
  const d = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * History as `pathwise usage --days|--months|--cycles` gives it: per path and period, app bytes,
 * all bytes (marked where partly estimated), the corrections and what the plan charges; exported
 * as the same CSV or JSON the command line writes.
 */
export function UsageHistory({ revision }: { revision: number }) {
  const { api } = useDashboard();
  const [kind, setKind] = useState<Kind>('day');
  const periods = usePeriods(api, kind, revision);
  const rows = valueOf(periods);
  const spec = KINDS[kind];
  const save = (as: 'csv' | 'json'): void => {
    if (!rows) return;
    const name = `pathwise-usage-${spec.file}-${localToday()}.${as}`;
    if (as === 'csv') downloadText(name, 'text/csv', usageCsv(rows));
    else downloadText(name, 'application/json', usageJson(rows));
  };
  const empty = !rows || rows.length === 0;
  return (
    <Section
      title="History"
      description={`Each path’s use per ${spec.noun}, as "pathwise usage" shows it.`}
      actions={
        <>
          <Segmented label="History by" size="sm" value={kind} options={OPTIONS} onChange={setKind} />
          <button type="button" className="btn btn-sm" disabled={empty} onClick={() => save('csv')}>
            Export CSV
          </button>
          <button type="button" className="btn btn-sm" disabled={empty} onClick={() => save('json')}>
            Export JSON
          </button>
        </>
      }
    >
      <LoadableView data={periods} what="history" unavailable={HISTORY_UNAVAILABLE}>
        {(value) =>
          value.length === 0 ? (
            <EmptyState icon="usage" title="No usage recorded in that time" />
          ) : (
            <HistoryTable periods={value} kind={kind} label={`Usage by ${spec.noun}`} />
          )
        }
      </LoadableView>
    </Section>
  );
}

function HistoryTable({ periods, kind, label }: { periods: UsagePeriod[]; kind: Kind; label: string }) {
  const { colors } = useDashboard();
  const [now] = useState(() => Date.now());
  const estimated = periods.some((p) => p.estimatedBytes > 0);
  const corrected = periods.some((p) => p.adjustedBytes !== 0);
  return (
    <>
      <div className="table-wrap history-wrap">
        <table className="data-table" aria-label={label}>
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Period</th>
              <th scope="col" className="num">
                By Pathwise
              </th>
              <th scope="col" className="num">
                All traffic
              </th>
              <th scope="col" className="num">
                Correction
              </th>
              <th scope="col" className="num">
                Cost
              </th>
            </tr>
          </thead>
          <tbody>
            {periods.map((p) => (
              <tr key={`${p.path} ${p.label}`} aria-label={`${p.path} ${p.label}`}>
                <th scope="row">
                  <span className="cell-path">
                    <PathDot color={colors(p.path)} /> {p.path}
                  </span>
                </th>
                <td>{periodText(p, kind, now)}</td>
                <td className="num">{formatBytes(p.appBytes)}</td>
                <td className="num">
                  {p.estimatedBytes > 0 ? (
                    <span
                      aria-describedby="history-estimate-note"
                      title={`${formatBytes(p.estimatedBytes)} of it estimated`}
                    >
                      ~{formatBytes(p.allBytes)}
                      <span className="cell-note">~{formatBytes(p.estimatedBytes)} estimated</span>
                    </span>
                  ) : (
                    formatBytes(p.allBytes)
                  )}
                </td>
                <td className={p.adjustedBytes === 0 ? 'num muted' : 'num'}>
                  {p.adjustedBytes === 0 ? '—' : formatSignedBytes(p.adjustedBytes)}
                </td>
                <td className={p.cost === null ? 'num muted' : 'num'}>{formatMoney(p.cost, p.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {(estimated || corrected) && (
        <div className="table-notes small muted">
          {estimated && <p id="history-estimate-note">{ESTIMATE_NOTE}</p>}
          {corrected && <p>{CORRECTION_NOTE}</p>}
        </div>
      )}
    </>
  );
}
