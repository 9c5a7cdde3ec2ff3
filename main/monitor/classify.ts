import type { PathType } from '../../common/contract.ts';

/** Facts about an interface that classification can use; all optional but the name. */
export interface InterfaceFacts {
  name: string;
  driver?: string | undefined;
  /** ARPHRD type from /sys/class/net/X/type (1 ether, 772 loopback, 65534 none/tun, 512 ppp). */
  arpType?: number | undefined;
  /** DEVTYPE from /sys/class/net/X/uevent: wlan, wwan, wireguard, bridge, vlan, … */
  devType?: string | undefined;
  wireless?: boolean | undefined;
  /** A tun/tap device (/sys/class/net/X/tun_flags exists): VPN clients create these. */
  tun?: boolean | undefined;
  /** A bridge (/sys/class/net/X/bridge exists): containers' and VMs' switch inside the machine. */
  bridge?: boolean | undefined;
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
const VIRTUAL_DEVTYPES = new Set(['bridge', 'bond', 'vlan', 'macvlan', 'ipvlan', 'vxlan', 'dsa']);
/** ARPHRD tunnels that are not VPN clients: ipip, ip6tnl, sit, gre, ip6gre. */
const TUNNEL_ARP_TYPES = new Set([768, 769, 776, 778, 823]);
/** ARPHRD_NONE: a device with no link layer at all, as tun devices and WireGuard are. */
const ARPHRD_NONE = 65534;
/** VPN clients' devices by name (Linux, macOS, Windows): tun/tap, WireGuard, Tailscale, ZeroTier. */
const VPN_NAMES = /^(tun(?!l)|tap|wg|utun|ipsec|tailscale|zt|nordlynx|proton|mullvad)/i;
/**
 * Interfaces inside the machine: container and VM bridges and their veths (Docker, Podman, LXC,
 * libvirt, systemd-nspawn's ve-/vb-, Kubernetes CNIs), Windows' Hyper-V switches (vEthernet …),
 * macOS's bridges and Apple's peer-to-peer Wi-Fi (awdl, llw). Their bytes never leave the machine,
 * or leave through a physical path that counts them already.
 */
const VIRTUAL_NAMES =
  /^(docker|br-|virbr|veth|vnet|lxc|lxd|podman|cni|flannel|cali|ve-|vb-|ifb|dummy|bond|team|vboxnet|vmnet|bridge\d|awdl|llw|anpi|gif\d|stf\d)|^vEthernet/;

/** The iPhone's Personal Hotspot always hands out this gateway. */
export const IPHONE_HOTSPOT_GATEWAY = '172.20.10.1';

/**
 * Classify a network interface following PRODUCT.md §1's Linux hints. What the kernel says about
 * the hardware (driver, DEVTYPE) beats the name, because names are only conventions; the name
 * beats the "virtual" flag, because real VPN and PPP links are virtual devices too.
 */
export function classifyInterface(facts: InterfaceFacts): PathType {
  const { name } = facts;
  if (name === 'lo' || facts.arpType === 772) return 'loopback';
  if (facts.driver && CELLULAR_DRIVERS.has(facts.driver)) return 'cellular';
  if (facts.driver && TETHER_DRIVERS.has(facts.driver)) return 'tether';
  if (facts.devType === 'wwan') return 'cellular';
  if (facts.devType === 'wlan') return 'wifi';
  if (facts.devType === 'wireguard') return 'vpn';
  if (facts.gateway === IPHONE_HOTSPOT_GATEWAY) return 'tether';
  if (/^(wwan|ww[a-z0-9]|ppp)/.test(name)) return 'cellular';
  // enx<MAC> is any USB network adapter; a known driver that isn't a phone's means a USB Ethernet dongle.
  if (/^enx/.test(name)) return facts.driver ? 'ethernet' : 'tether';
  if (/^usb/.test(name)) return 'tether';
  if (VPN_NAMES.test(name)) return 'vpn';
  if (facts.wireless || /^(wlan|wl[a-z0-9]|wifi|ath|ra[0-9])/.test(name) || /^wi-?fi/i.test(name))
    return 'wifi';
  if (VIRTUAL_NAMES.test(name)) return 'virtual';
  if (facts.tun) return 'vpn';
  if (facts.bridge || (facts.devType && VIRTUAL_DEVTYPES.has(facts.devType))) return 'virtual';
  // No link layer and no hardware behind it: a tun or WireGuard device, whatever its name.
  if (facts.arpType === ARPHRD_NONE && facts.virtual && !facts.driver) return 'vpn';
  if (facts.arpType !== undefined && TUNNEL_ARP_TYPES.has(facts.arpType)) return 'virtual';
  if (/^(eth|en[a-z0-9])/.test(name) || /^ethernet/i.test(name)) return 'ethernet';
  if (facts.virtual) return 'virtual';
  // A physical Ethernet-framed device with a driver and no other hint is wired Ethernet.
  if (facts.arpType === 1 && facts.driver) return 'ethernet';
  return 'unknown';
}

export function defaultMetered(type: PathType): boolean {
  return type === 'cellular' || type === 'tether';
}
