import type { PathType } from '../../common/contract.ts';

/**
 * Radio power model from Huang et al., "A Close Examination of Performance and Power
 * Characteristics of 4G LTE Networks" (MobiSys 2012): while the radio is active,
 * P = alpha_up × Mbps_up + alpha_down × Mbps_down + beta (mW); LTE then stays in a high-power
 * tail for ~11.6 s after the last packet. Integrated over time, a path's energy is
 * alpha_up × megabits_up + alpha_down × megabits_down + beta × active seconds + tail per burst.
 */
export interface RadioModel {
  alphaUpMwPerMbps: number;
  alphaDownMwPerMbps: number;
  betaMw: number;
  tailMw: number;
  tailS: number;
}

export const LTE: RadioModel = {
  alphaUpMwPerMbps: 438.39,
  alphaDownMwPerMbps: 51.97,
  betaMw: 1288.04,
  tailMw: 1060,
  tailS: 11.576,
};

export const WIFI: RadioModel = {
  alphaUpMwPerMbps: 283.17,
  alphaDownMwPerMbps: 137.01,
  betaMw: 132.86,
  tailMw: 0,
  tailS: 0,
};

/** Cellular modems and phone tethers pay LTE's price; Wi-Fi its own; wired paths ~nothing. */
export function radioFor(type: PathType | null | undefined): RadioModel | null {
  if (type === 'cellular' || type === 'tether') return LTE;
  if (type === 'wifi') return WIFI;
  return null;
}

export interface Activity {
  rxBytes: number;
  txBytes: number;
  /** Seconds in which the path moved any bytes. */
  activeS: number;
  /** Separate runs of active seconds (each ends in a tail). */
  bursts: number;
}

/** Energy in watt-hours for the activity on a path of this type. */
export function energyWh(type: PathType | null | undefined, activity: Activity): number {
  const radio = radioFor(type);
  if (!radio) return 0;
  const mbitDown = (activity.rxBytes * 8) / 1e6;
  const mbitUp = (activity.txBytes * 8) / 1e6;
  const millijoules =
    radio.alphaDownMwPerMbps * mbitDown +
    radio.alphaUpMwPerMbps * mbitUp +
    radio.betaMw * activity.activeS +
    radio.tailMw * radio.tailS * activity.bursts;
  return millijoules / 1000 / 3600;
}
