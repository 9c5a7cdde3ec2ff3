import type { ContinuityEvent, HealthStep, TransferInfo } from '../../../common/contract.ts';
import { PathDot } from '../components/Bars.tsx';
import { Icon, type IconName } from '../components/Icon.tsx';
import { Stat } from '../components/Stat.tsx';
import { EmptyState, LoadableView } from '../components/States.tsx';
import { Section, ViewHeader } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { formatBytes, formatDuration, formatTime } from '../../../common/format.ts';
import { PATH_STATE_TEXT } from '../../../common/status.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { healthLook } from './healthEntry.ts';
import { fileLabel } from './TransferRow.tsx';

/** How each of the engine's entries looks; a path's health entry looks as its steps say (healthEntry.ts). */
const KIND: Record<
  Exclude<ContinuityEvent['kind'], 'health'>,
  { icon: IconName; tone: string; title: (e: ContinuityEvent) => string }
> = {
  handover: {
    icon: 'handover',
    tone: 'info',
    title: (e) => `Handed over from ${e.from ?? '?'} to ${e.to ?? '?'}`,
  },
  failover: {
    icon: 'handover',
    tone: 'warn',
    title: (e) => `${e.from ?? 'A path'} failed; its ranges moved to ${e.to ?? 'the other paths'}`,
  },
  'path-lost': { icon: 'down', tone: 'bad', title: (e) => `${e.from ?? e.to ?? 'A path'} went away` },
  'path-restored': { icon: 'restore', tone: 'good', title: (e) => `${e.to ?? e.from ?? 'A path'} is back` },
  restart: { icon: 'retry', tone: 'warn', title: () => 'Download restarted' },
  'cap-reached': { icon: 'cap', tone: 'warn', title: (e) => `${e.from ?? e.to ?? 'A path'} reached its cap` },
};

function dayLabel(at: number): string {
  const day = new Date(at);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (day.toDateString() === today.toDateString()) return 'Today';
  if (day.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return day.toLocaleDateString(undefined, { weekday: 'long', month: 'short', day: 'numeric' });
}

export function ContinuityView() {
  const { continuity, transfers } = useDashboard();
  const transferList = valueOf(transfers.data) ?? [];
  return (
    <>
      <ViewHeader
        title="Continuity"
        subtitle="Every handover and failover, and what it cost: bytes fetched again and time without data. And each time a path stopped answering, lost the internet or turned weak, until it was back."
      />
      <LoadableView
        data={continuity.data}
        what="the continuity timeline"
        onRetry={continuity.reload}
        unavailable={{
          icon: 'continuity',
          title: 'No continuity timeline',
          text: 'The timeline comes from the transfer engine, which is not running in this Pathwise. Restart Pathwise; if it stays like this, run "pathwise serve" in a terminal to see why.',
        }}
      >
        {(events) => <Timeline events={events} transfers={transferList} />}
      </LoadableView>
    </>
  );
}

function Timeline({ events, transfers }: { events: ContinuityEvent[]; transfers: TransferInfo[] }) {
  const { colors } = useDashboard();
  if (events.length === 0) {
    return (
      <EmptyState icon="continuity" title="Nothing has interrupted a transfer">
        When a path drops or Pathwise hands a download to another path, it is recorded here with the bytes it
        cost.
      </EmptyState>
    );
  }
  const sorted = [...events].sort((a, b) => b.at - a.at);
  const lost = events.reduce((s, e) => s + e.bytesLost, 0);
  const longest = Math.max(...events.map((e) => e.stallMs));
  const handovers = events.filter((e) => e.kind === 'handover' || e.kind === 'failover').length;
  const groups = new Map<string, ContinuityEvent[]>();
  for (const event of sorted) {
    const label = dayLabel(event.at);
    groups.set(label, [...(groups.get(label) ?? []), event]);
  }
  return (
    <>
      <div className="stat-strip">
        <Stat label="Handovers and failovers" value={handovers} />
        <Stat label="Bytes fetched again" value={formatBytes(lost)} hint="everything else was kept" />
        <Stat label="Longest gap without data" value={formatDuration(longest)} />
      </div>
      {[...groups.entries()].map(([label, list]) => (
        <Section key={label} title={label}>
          <ol className="timeline" aria-label={`Continuity events, ${label}`}>
            {list.map((event) => (
              <TimelineItem
                key={event.id}
                event={event}
                transfer={transfers.find((t) => t.id === event.transferId)}
                colors={colors}
              />
            ))}
          </ol>
        </Section>
      ))}
    </>
  );
}

function TimelineItem({
  event,
  transfer,
  colors,
}: {
  event: ContinuityEvent;
  transfer: TransferInfo | undefined;
  colors: PathColors;
}) {
  const look =
    event.kind === 'health'
      ? healthLook(event)
      : { ...KIND[event.kind], title: KIND[event.kind].title(event) };
  const title = look.title;
  return (
    <li className={`timeline-item tone-${look.tone}`} aria-label={`${formatTime(event.at)}: ${title}`}>
      <span className="timeline-marker" aria-hidden="true">
        <Icon name={look.icon} size={15} />
      </span>
      <div className="timeline-body">
        <div className="timeline-head">
          <span className="timeline-title">{title}</span>
          <time className="timeline-time" dateTime={new Date(event.at).toISOString()}>
            {formatTime(event.at)}
          </time>
        </div>
        <div className="timeline-meta">
          {(event.from || event.to) && (
            <span className="timeline-paths">
              {event.from && (
                <span className="cell-path">
                  <PathDot color={colors(event.from)} /> {event.from}
                </span>
              )}
              {event.from && event.to && event.to !== event.from && <span aria-hidden="true">→</span>}
              {event.to && event.to !== event.from && (
                <span className="cell-path">
                  <PathDot color={colors(event.to)} /> {event.to}
                </span>
              )}
            </span>
          )}
          {transfer && <span className="muted">{fileLabel(transfer)}</span>}
          {event.kind === 'health' ? (
            <HealthSteps steps={event.steps ?? []} />
          ) : (
            <>
              <span className={event.bytesLost > 0 ? 'text-warn' : 'muted'}>
                {event.bytesLost > 0 ? `${formatBytes(event.bytesLost)} fetched again` : 'no bytes lost'}
              </span>
              <span className="muted">
                {event.stallMs > 0 ? `${formatDuration(event.stallMs)} without data` : 'no gap'}
              </span>
            </>
          )}
        </div>
        {event.detail && <p className="timeline-detail muted">{event.detail}</p>}
      </div>
    </li>
  );
}

/**
 * A path's health steps in order, each in the tray's words with its time: "checking 10:02:01 →
 * no internet 10:02:03 → up 10:03:10".
 */
function HealthSteps({ steps }: { steps: readonly HealthStep[] }) {
  return (
    <span className="muted">
      {steps.map((step, i) => (
        <span key={`${step.at}-${i}`}>
          {i > 0 && ' → '}
          {PATH_STATE_TEXT[step.state]}{' '}
          <time dateTime={new Date(step.at).toISOString()}>{formatTime(step.at)}</time>
        </span>
      ))}
    </span>
  );
}
