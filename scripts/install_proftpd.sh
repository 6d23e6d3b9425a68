#!/usr/bin/env bash
# Installs ProFTPD 1.3.8 (Debian's proftpd-core + proftpd-mod-crypto, which holds mod_tls)
# SIDE BY SIDE into a directory, and prints that directory on stdout when done.
#
#   bash scripts/install_proftpd.sh [DEST]     (default: $FTPLIB_PROFTPD_CACHE, else
#                                               /var/cache/ftplib-test-servers/proftpd)
#
# Why not `apt-get install proftpd-core`, and how: see scripts/lib/side_by_side.sh
# (apt-get download + dpkg -x, libraries apt-installed, marker file, atomic rename; fails
# loudly). Used by scripts/test.sh and scripts/capture_listings.sh.
#
# Layout of DEST: usr/sbin/proftpd (run it with `-n -c /ABS/proftpd.conf`) and
# usr/lib/proftpd/mod_tls.so (the config needs `ModulePath DEST/usr/lib/proftpd`).
set -euo pipefail

NAME=proftpd
DEST=${1:-${FTPLIB_PROFTPD_CACHE:-/var/cache/ftplib-test-servers/proftpd}}
PACKAGES=(proftpd-core proftpd-mod-crypto)
OBJECTS=(usr/sbin/proftpd usr/lib/proftpd/mod_tls.so)
version_of() { "$1/usr/sbin/proftpd" -v 2>&1; }

# shellcheck source=lib/side_by_side.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/side_by_side.sh"
side_by_side_install
