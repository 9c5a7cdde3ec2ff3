#!/usr/bin/env bash
# Debian packages the test suite and benchmarks use: Chromium for e2e, iproute2/iptables for the
# network-namespace labs, curl/aria2/nginx/mptcpd as yardsticks, gsettings and GNOME's schemas for
# the desktop proxy setting. Installs only what is missing.
set -euo pipefail
packages=(chromium iproute2 iptables curl aria2 nginx-light mptcpd procps psmisc time libglib2.0-bin
  gsettings-desktop-schemas fish zsh)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
