#!/usr/bin/env bash
# Installs Pure-FTPd 1.0.50 (Debian's pure-ftpd + pure-ftpd-common) SIDE BY SIDE into a
# directory, and prints that directory on stdout when done.
#
#   bash scripts/install_pure_ftpd.sh [DEST]   (default: $FTPLIB_PURE_FTPD_CACHE, else
#                                               /var/cache/ftplib-test-servers/pure-ftpd)
#
# Why not `apt-get install pure-ftpd`, and how: see scripts/lib/side_by_side.sh (apt-get
# download + dpkg -x, libraries such as libsodium23 apt-installed, marker file, atomic
# rename; fails loudly). Used by scripts/test.sh.
#
# Layout of DEST: usr/sbin/pure-ftpd (foreground by default, configured by flags only) and
# usr/bin/pure-pw (builds the puredb file of virtual users).
set -euo pipefail

NAME=pure_ftpd
DEST=${1:-${FTPLIB_PURE_FTPD_CACHE:-/var/cache/ftplib-test-servers/pure-ftpd}}
PACKAGES=(pure-ftpd pure-ftpd-common)
OBJECTS=(usr/sbin/pure-ftpd usr/bin/pure-pw)
# `--help` prints "pure-ftpd v1.0.50 [privsep]" first and exits 0 without starting a server.
version_of() {
    local out
    out=$("$1/usr/sbin/pure-ftpd" --help 2>&1) || { echo "$out"; return 1; }
    head -n 1 <<<"$out"
}

# shellcheck source=lib/side_by_side.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/side_by_side.sh"
side_by_side_install
