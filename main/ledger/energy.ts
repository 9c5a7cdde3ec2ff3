import type { PathType } from '../../common/contract.ts';
import { radioFor, type EnergyOn, type RadioModel } from '../../common/radioModel.ts';

export { LTE, WIFI, radioFor, type RadioModel } from '../../common/radioModel.ts';

/**
 * Radio energy from Huang et al. (MobiSys 2012; coefficients and tables in common/radioModel.ts).
 * While the radio moves data, P = alpha_up × Mbps_up + alpha_down × Mbps_down + beta, which
 * integrates to alpha × megabits + beta × active seconds. After each burst the radio stays up for
 * min(gap to the next burst, tailS) at tailMw; a burst after a gap of tailS or more first pays a
 * promotion (promotionMw for promotionS). A 200-byte keepalive every 2 s thus keeps LTE between
 * beta and the tail power (~1.2 W), not a full 11.6 s tail per keepalive (6.8 W).
 *
 * The ledger keeps, per minute (3 days) and hour (90 days), a path's active seconds and bursts,
 * not when each burst started: the gaps are only known to lie within bounds, and the estimate is
 * a range (see gapBounds). The middle of it is the figure shown where one number must do.
 */

/** The ledger looks at each path once a second: two bursts are at least one quiet second apart. */
export const GAP_MIN_S = 1;

export interface Activity {
  rxBytes: number;
  txBytes: number;
  /** Seconds in which the path moved any bytes. */
  activeS: number;
  /** Separate runs of active seconds (each ends in a tail). */
  bursts: number;
}

/** One minute or hour row of a path, in time order, as the gap bounds read it. */
export interface ActivityRow {
  /** Start, epoch ms. */
  t: number;
  /** Seconds the row spans. */
  durS: number;
  activeS: number;
  bursts: number;
  /** No bytes at all: the radio was idle the whole row (a row with bytes but no active seconds is not). */
  quiet: boolean;
}

/** Seconds of tail and the number of promotions the bursts cost, at least and at most. */
export interface GapBounds {
  tailLowS: number;
  tailHighS: number;
  promotionsLow: number;
  promotionsHigh: number;
}

export interface EnergyEstimate {
  wh: number;
  lowWh: number;
  highWh: number;
  on: EnergyOn;
}

const rowEnd = (row: ActivityRow): number => row.t + row.durS * 1000;
const follows = (a: ActivityRow | undefined, b: ActivityRow): a is ActivityRow => !!a && rowEnd(a) === b.t;
/**
 * Seconds of the row seen by `now` (the current row is partial). A row's first observation covers
 * the second before its start, hence the extra second.
 */
const seenS = (row: ActivityRow, now: number): number =>
  Math.min(row.durS, Math.max(0, (now - row.t) / 1000 + GAP_MIN_S));
const quietS = (row: ActivityRow | undefined, now: number): number => (row?.quiet ? seenS(row, now) : 0);

/**
 * Bounds on sum(min(gap, tailS)) and on the promotions, folded over rows in time order (one at a
 * time, so a caller can keep the fold of rows that no longer change and go on from there):
 *
 * - At most: each burst's tail is at most tailS, and the tails of a row's bursts fit in its idle
 *   seconds plus one tail running on into the next rows (`carry`, never past now), which those
 *   rows' own tails then cannot use. So a keepalive every 2 s (30 active and 30 idle seconds a
 *   minute) has at most 30 s of tail a minute, however many bursts. A burst after a gap of tailS
 *   or more pays a promotion; each needs tailS idle seconds before it, but for a row's first burst.
 * - At least: every gap is at least GAP_MIN_S (but the last, which may have only just begun, and
 *   one running into a break in the rows). The last burst before a quiet row of tailS or more
 *   has its full tail, and the first burst after one a promotion. A row's idle seconds beyond the
 *   minimal gaps lie in gaps shared with at most one other row, so half of them count, up to half
 *   a tail (not for a row next to a quiet one, whose gap is counted already, nor for the first
 *   burst after a break in the rows, whose gap began with a burst not counted here).
 */
export class GapFold {
  private readonly T: number;
  private readonly g: number;
  private out: GapBounds = { tailLowS: 0, tailHighS: 0, promotionsLow: 0, promotionsHigh: 0 };
  /** Tail seconds of earlier bursts that may run on into the next row (the upper bound's). */
  private carry = 0;
  /** A burst is counted whose tail is not yet known to be whole (the lower bound's). */
  private open = false;
  /** A burst was counted since the last break in the rows. */
  private counted = false;
  private prev: ActivityRow | undefined;
  /** Bursts in the rows folded so far. */
  bursts = 0;

  constructor(radio: RadioModel) {
    this.T = radio.tailS;
    this.g = Math.min(GAP_MIN_S, radio.tailS);
  }

  /** Folds in `row`, seeing the row after it (undefined: none yet) as of `now`. */
  add(row: ActivityRow, next: ActivityRow | undefined, now: number): void {
    const { T, g, out, prev } = this;
    if (prev && !follows(prev, row)) {
      this.carry = Math.max(0, this.carry - (row.t - rowEnd(prev)) / 1000);
      if (this.open) out.tailLowS -= g;
      this.open = false;
      this.counted = false;
    }
    const idleS = Math.max(0, seenS(row, now) - row.activeS);
    // The last row's tails end by now: none is charged ahead of time.
    const spill = next ? T : Math.min(T, Math.max(0, (now - rowEnd(row)) / 1000 + GAP_MIN_S));
    const high = Math.min(row.bursts * T, Math.max(0, idleS + spill - this.carry));
    this.carry = Math.max(0, this.carry + high - idleS);
    out.tailHighS += high;
    out.promotionsHigh += Math.min(row.bursts, 1 + Math.floor(idleS / T));
    if (row.quiet) this.open = false;
    const afterQuiet = follows(prev, row) && quietS(prev, now) >= T;
    const beforeQuiet = !row.quiet && next !== undefined && follows(row, next) && quietS(next, now) >= T;
    if (row.bursts > 0) {
      out.tailLowS += row.bursts * g;
      if (afterQuiet) out.promotionsLow += 1;
      else if (this.counted && !beforeQuiet) {
        out.tailLowS += Math.min(Math.max(0, idleS - (row.bursts + 1) * g), T - g) / 2;
      }
      this.open = true;
      this.counted = true;
    }
    if (this.open && beforeQuiet) {
      out.tailLowS += T - g;
      this.open = false;
    }
    this.prev = row;
    this.bursts += row.bursts;
  }

  /** The bounds of the rows folded so far. */
  bounds(): GapBounds {
    const out = { ...this.out };
    // The last burst's gap may have only just begun (or ran into a time nobody watched).
    if (this.open) out.tailLowS -= this.g;
    out.tailLowS = Math.max(0, Math.min(out.tailLowS, out.tailHighS));
    out.promotionsLow = Math.min(out.promotionsLow, out.promotionsHigh);
    return out;
  }

  clone(): GapFold {
    const copy = Object.assign(Object.create(GapFold.prototype) as GapFold, this);
    copy.out = { ...this.out };
    return copy;
  }
}

export function gapBounds(radio: RadioModel, rows: readonly ActivityRow[], now: number): GapBounds {
  return foldRows(radio, rows, now).bounds();
}

export function foldRows(
  radio: RadioModel,
  rows: readonly ActivityRow[],
  now: number,
  from?: GapFold,
): GapFold {
  const fold = from ?? new GapFold(radio);
  rows.forEach((row, i) => fold.add(row, rows[i + 1], now));
  return fold;
}

/** Bursts the rows don't show (rows pruned, or none read): anything from the shortest gap to a full tail. */
function unplaced(radio: RadioModel, bursts: number): GapBounds {
  return {
    tailLowS: bursts * Math.min(GAP_MIN_S, radio.tailS),
    tailHighS: bursts * radio.tailS,
    promotionsLow: 0,
    promotionsHigh: bursts,
  };
}

/**
 * The gaps' cost for `activity.bursts` bursts. A radio whose tail is shorter than the shortest gap
 * the ledger can see (Wi-Fi's 238 ms) pays a whole tail and a promotion per burst: exact from the
 * totals. LTE's needs the rows, folded (bursts the fold did not see get the widest bounds).
 */
function gapsOf(radio: RadioModel, bursts: number, fold: GapFold | null): GapBounds {
  if (radio.tailS <= GAP_MIN_S) {
    const tailS = bursts * radio.tailS;
    return { tailLowS: tailS, tailHighS: tailS, promotionsLow: bursts, promotionsHigh: bursts };
  }
  const bounds = fold?.bounds() ?? { tailLowS: 0, tailHighS: 0, promotionsLow: 0, promotionsHigh: 0 };
  const rest = unplaced(radio, Math.max(0, bursts - (fold?.bursts ?? 0)));
  return {
    tailLowS: bounds.tailLowS + rest.tailLowS,
    tailHighS: bounds.tailHighS + rest.tailHighS,
    promotionsLow: bounds.promotionsLow + rest.promotionsLow,
    promotionsHigh: bounds.promotionsHigh + rest.promotionsHigh,
  };
}

/** Whether a path's energy needs its rows: a radio whose tail outlasts the ledger's second (LTE). */
export function needsRows(type: PathType | null | undefined): boolean {
  const model = radioFor(type);
  return model !== null && model.radio.tailS > GAP_MIN_S;
}

const MJ_PER_WH = 3.6e6;

/**
 * A path's radio energy over some span: `activity` is its totals, `rows` its minute/hour rows over
 * the same span, or their fold (null: none read, so the widest range). Paths without a radio
 * model cost nothing here and say so (`on: 'none'`).
 */
export function estimateEnergy(
  type: PathType | null | undefined,
  activity: Activity,
  rows: readonly ActivityRow[] | GapFold | null,
  now: number,
): EnergyEstimate {
  const model = radioFor(type);
  if (!model) return { wh: 0, lowWh: 0, highWh: 0, on: 'none' };
  const { radio, on } = model;
  const transferMj =
    radio.alphaDownMwPerMbps * ((activity.rxBytes * 8) / 1e6) +
    radio.alphaUpMwPerMbps * ((activity.txBytes * 8) / 1e6) +
    radio.betaMw * activity.activeS;
  const fold = rows === null || rows instanceof GapFold ? rows : foldRows(radio, rows, now);
  const gaps = gapsOf(radio, activity.bursts, fold);
  const promotionMj = radio.promotionMw * radio.promotionS;
  const lowMj = transferMj + radio.tailMw * gaps.tailLowS + promotionMj * gaps.promotionsLow;
  const highMj = transferMj + radio.tailMw * gaps.tailHighS + promotionMj * gaps.promotionsHigh;
  return { wh: (lowMj + highMj) / 2 / MJ_PER_WH, lowWh: lowMj / MJ_PER_WH, highWh: highMj / MJ_PER_WH, on };
}
