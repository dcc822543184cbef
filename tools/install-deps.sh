#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tools/install-deps.sh - every Debian 12 package flowtower needs to build, test and run.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -eu
pkgs=(
	# build
	make gcc clang llvm libclang-rt-14-dev pkg-config bpftool
	libbpf-dev libxdp-dev libelf-dev zlib1g-dev libpq-dev libpcap-dev libssl-dev libmicrohttpd-dev
	# build: the web page's chart package is pinned in web/package-lock.json and installed by npm
	nodejs
	# run
	iproute2 ethtool postgresql postgresql-contrib
	# test
	libcmocka-dev tcpreplay tshark tcpdump python3 python3-scapy chromium curl
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodesource's nodejs carries npm and conflicts with Debian's npm package: ask for npm only if absent
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#pkgs[@]} packages present"
	exit 0
fi
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it
echo 'wireshark-common wireshark-common/install-setuid boolean false' | $SUDO debconf-set-selections
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
