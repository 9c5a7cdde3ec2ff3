import type { PathType } from './settingsContract.ts';

/**
 * The radio power model the ledger's energy figures come from, shared with the dashboard so the
 * coefficients it cites are the ones the ledger used.
 *
 * Source: J. Huang, F. Qian, A. Gerber, Z. M. Mao, S. Sen, O. Spatscheck, "A Close Examination of
 * Performance and Power Characteristics of 4G LTE Networks", MobiSys 2012:
 *
 * - Table 4, data transfer power model: P = alpha_u × Mbps_up + alpha_d × Mbps_down + beta (mW).
 *   LTE: alpha_u 438.39, alpha_d 51.97, beta 1288.04; Wi-Fi: 283.17, 137.01, 132.86.
 * - Table 3, LTE: promotion 1210.7 ± 85.6 mW for 260.1 ± 15.8 ms (RRC_IDLE → RRC_CONNECTED);
 *   tail base 1060.0 ± 3.3 mW for 11576.0 ± 26.1 ms after the last packet. Wi-Fi: promotion
 *   124.4 ± 2.6 mW for 79.1 ± 15.1 ms; tail 119.3 ± 2.5 mW for 238.1 ± 9.2 ms.
 *
 * Measured on a 2011 LTE smartphone on a commercial network; a laptop's modem or today's phone
 * differ, which is why the dashboard calls the figures estimates. Idle power
 * (paging in RRC_IDLE, Wi-Fi beacons) is the radio being on at all, not the traffic's: not charged.
 */
export interface RadioModel {
  /** Which radio: named in the UI. */
  label: string;
  alphaUpMwPerMbps: number;
  alphaDownMwPerMbps: number;
  /** Power while the radio moves data, before the per-Mbps terms. */
  betaMw: number;
  /** Waking the radio from idle: paid by a burst that starts after the tail ran out. */
  promotionMw: number;
  promotionS: number;
  /** The radio stays up this long after the last packet: a burst's tail is min(gap, tailS). */
  tailMw: number;
  tailS: number;
}

export const LTE: RadioModel = {
  label: 'LTE',
  alphaUpMwPerMbps: 438.39,
  alphaDownMwPerMbps: 51.97,
  betaMw: 1288.04,
  promotionMw: 1210.7,
  promotionS: 0.2601,
  tailMw: 1060.0,
  tailS: 11.576,
};

export const WIFI: RadioModel = {
  label: 'Wi-Fi',
  alphaUpMwPerMbps: 283.17,
  alphaDownMwPerMbps: 137.01,
  betaMw: 132.86,
  promotionMw: 124.4,
  promotionS: 0.0791,
  tailMw: 119.3,
  tailS: 0.2381,
};

export const MODEL_CITATION =
  'Huang et al., “A Close Examination of Performance and Power Characteristics of 4G LTE Networks”, MobiSys 2012';

/** Whose battery a path's radio drains: this machine's, the phone's (a tether), or none (wired). */
export type EnergyOn = 'laptop' | 'phone' | 'none';

/**
 * The radio a path's traffic keeps busy and whose battery pays for it. A cellular modem is this
 * machine's LTE radio. A tether is the phone's LTE radio on the phone's battery: the laptop's side
 * of a USB tether is a USB link that costs next to nothing, and is not charged. (A phone hotspot
 * joined over Wi-Fi is classified as Wi-Fi unless the user says otherwise, and is then charged as
 * this machine's Wi-Fi; the phone's share of it is not known here.) Wired, virtual and VPN paths
 * (a VPN's bytes are counted again on the path it rides) have no radio model.
 */
export function radioFor(type: PathType | null | undefined): { radio: RadioModel; on: EnergyOn } | null {
  if (type === 'cellular') return { radio: LTE, on: 'laptop' };
  if (type === 'tether') return { radio: LTE, on: 'phone' };
  if (type === 'wifi') return { radio: WIFI, on: 'laptop' };
  return null;
}
