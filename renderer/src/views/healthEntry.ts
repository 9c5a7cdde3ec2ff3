import type { ContinuityEvent, HealthStep, PathState } from '../../../common/contract.ts';
import { formatDuration } from '../../../common/format.ts';
import type { IconName } from '../components/Icon.tsx';

/** How a path's health entry on the continuity timeline looks: its marker, tone and title. */
export interface HealthLook {
  icon: IconName;
  tone: 'good' | 'warn' | 'bad';
  title: string;
}

type Trouble = Exclude<PathState, 'up' | 'unknown'>;

/** Worst first: the trouble an ended entry is named by. */
const SEVERITY: readonly Trouble[] = ['offline', 'portal', 'degraded', 'suspect'];
const isTrouble = (state: PathState): state is Trouble => (SEVERITY as readonly PathState[]).includes(state);

const GOING_ON: Record<Trouble, (path: string) => HealthLook> = {
  suspect: (p) => ({ icon: 'warning', tone: 'warn', title: `${p} stopped answering; checking it` }),
  offline: (p) => ({ icon: 'down', tone: 'bad', title: `${p} has no internet` }),
  degraded: (p) => ({ icon: 'warning', tone: 'warn', title: `${p} is weak` }),
  portal: (p) => ({ icon: 'lock', tone: 'warn', title: `${p} needs a sign-in` }),
};

const ENDED: Record<Trouble, (path: string, took: string) => string> = {
  offline: (p, took) => `${p} is back after ${took} without internet`,
  portal: (p, took) => `${p} is through its sign-in page after ${took}`,
  degraded: (p, took) => `${p} is strong again after ${took} weak`,
  suspect: (p, took) => `${p} answered again after ${took}`,
};

/**
 * A path's trouble as the timeline says it: while it goes on, its state now ("wlan0 has no
 * internet"); once the path is up again, the worst it went through and for how long ("wlan0 is
 * back after 1 min 7 s without internet").
 */
export function healthLook(event: ContinuityEvent): HealthLook {
  const path = event.from ?? 'A path';
  const steps: readonly HealthStep[] = event.steps ?? [];
  const last = steps.at(-1);
  if (last && isTrouble(last.state)) return GOING_ON[last.state](path);
  const worst = SEVERITY.find((state) => steps.some((s) => s.state === state)) ?? 'suspect';
  const took = formatDuration((last?.at ?? event.at) - event.at);
  return { icon: 'restore', tone: 'good', title: ENDED[worst](path, took) };
}
