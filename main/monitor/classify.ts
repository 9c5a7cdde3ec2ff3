import type { PathType } from '../contract.ts';

/** Facts about an interface that classification can use; all optional but the name. */
export interface InterfaceFacts {
  name: string;
  driver?: string | undefined;
  /** ARPHRD type from /sys/class/net/X/type (1 ether, 772 loopback, 65534 none/tun, 512 ppp). */
  arpType?: number | undefined;
  wireless?: boolean | undefined;
  gateway?: string | undefined;
  virtual?: boolean | undefined;
}

const CELLULAR_DRIVERS = new Set([
  'qmi_wwan',
  'cdc_mbim',
  'cdc_ncm',
  'option',
  'sierra_net',
  'huawei_cdc_ncm',
]);
const TETHER_DRIVERS = new Set(['rndis_host', 'cdc_ether', 'ipheth']);

/** Classify a network interface from its name and driver, following PRODUCT.md §1's Linux hints. */
export function classifyInterface(facts: InterfaceFacts): PathType {
  const { name } = facts;
  if (name === 'lo' || facts.arpType === 772) return 'loopback';
  if (facts.driver && CELLULAR_DRIVERS.has(facts.driver)) return 'cellular';
  if (facts.driver && TETHER_DRIVERS.has(facts.driver)) return 'tether';
  if (facts.gateway === '172.20.10.1') return 'tether';
  if (/^(wwan|ww[a-z0-9]|ppp)/.test(name)) return 'cellular';
  if (/^(usb|enx)/.test(name)) return 'tether';
  if (/^(tun|tap|wg|utun|ipsec)/.test(name)) return 'vpn';
  if (facts.wireless || /^(wlan|wl[a-z0-9]|wifi|ath|ra[0-9])/.test(name)) return 'wifi';
  if (/^(docker|br-|virbr|veth|vnet|lxc|cni|flannel|cali|zt|ifb|dummy|bond|team)/.test(name))
    return 'virtual';
  if (/^(eth|en[a-z0-9])/.test(name)) return 'ethernet';
  if (facts.virtual) return 'virtual';
  return 'unknown';
}

export function defaultMetered(type: PathType): boolean {
  return type === 'cellular' || type === 'tether';
}
