#!/usr/bin/env bash
# Installs ProFTPD 1.3.8 (Debian's proftpd-core + proftpd-mod-crypto, which holds mod_tls)
# SIDE BY SIDE into a directory, and prints that directory on stdout when done.
#
#   bash scripts/install_proftpd.sh [DEST]     (default: $FTPLIB_PROFTPD_CACHE, else
#                                               /var/cache/ftplib-test-servers/proftpd)
#
# Why not `apt-get install proftpd-core`: Debian's vsftpd, proftpd-core and pure-ftpd all
# conflict (`Conflicts: ftp-server`), and the tests need vsftpd installed. So the .debs are
# fetched with `apt-get download` and unpacked with `dpkg -x` (the binaries run from there);
# only the shared libraries they depend on are apt-installed.
#
# Idempotent and fast when DEST already holds a complete install (a marker file is written
# last, and the unpacked tree is moved into place in one rename, so an interrupted run never
# leaves a half install that looks complete). Fails loudly on any error. Needs root (or sudo)
# for apt-get. Used by scripts/test.sh and scripts/capture_listings.sh.
#
# Layout of DEST: usr/sbin/proftpd (run it with `-n -c /ABS/proftpd.conf`) and
# usr/lib/proftpd/mod_tls.so (the config needs `ModulePath DEST/usr/lib/proftpd`).
set -euo pipefail

DEST=${1:-${FTPLIB_PROFTPD_CACHE:-/var/cache/ftplib-test-servers/proftpd}}
PACKAGES=(proftpd-core proftpd-mod-crypto)
MARKER=.ftplib-installed

log() { echo "install_proftpd: $*" >&2; }

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
else
    SUDO=(sudo)
fi

# A complete install from an earlier run: nothing to do (a single `proftpd -v` checks that
# its libraries are still there).
if [ -f "$DEST/$MARKER" ] && "$DEST/usr/sbin/proftpd" -v >/dev/null 2>&1; then
    log "present in $DEST ($(cat "$DEST/$MARKER"))"
    echo "$DEST"
    exit 0
fi

apt_updated=0
apt_update_once() {
    if [ "$apt_updated" -eq 0 ]; then
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        apt_updated=1
    fi
}

parent=$(dirname "$DEST")
"${SUDO[@]}" mkdir -p "$parent"
work=$("${SUDO[@]}" mktemp -d "$parent/.proftpd-install.XXXXXX")
"${SUDO[@]}" chmod 755 "$work"
trap '"${SUDO[@]}" rm -rf "$work"' EXIT
mkdir_owned() { "${SUDO[@]}" mkdir -p "$1" && "${SUDO[@]}" chown "$(id -u):$(id -g)" "$1"; }
mkdir_owned "$work/debs"
mkdir_owned "$work/root"
# apt-get download as root drops privileges to _apt, which must be able to write there
# (otherwise it warns and downloads unsandboxed).
"${SUDO[@]}" chown _apt "$work/debs" 2>/dev/null || true

# `apt-get download` needs package lists; a fresh machine may have none, an old one stale
# ones (a 404 for a superseded version): update once and retry.
if ! (cd "$work/debs" && "${SUDO[@]}" apt-get download -qq "${PACKAGES[@]}" >&2); then
    apt_update_once
    (cd "$work/debs" && "${SUDO[@]}" apt-get download -qq "${PACKAGES[@]}" >&2)
fi

# The shared libraries the packages declare (libhiredis0.14, libmemcached11, libsodium23,
# ...): installed normally, they conflict with nothing.
libs=()
for deb in "$work"/debs/*.deb; do
    while read -r dep; do
        [ -n "$dep" ] && libs+=("$dep")
    done < <(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/[(|].*//; s/^ *//; s/ *$//' | grep '^lib' || true)
done
missing=()
for lib in $(printf '%s\n' "${libs[@]}" | sort -u); do
    if ! dpkg-query -W -f='${Status}' "$lib" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$lib")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    apt_update_once
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

for deb in "$work"/debs/*.deb; do
    dpkg -x "$deb" "$work/root"
done

# Check before declaring success: the binary runs and nothing it or mod_tls links is missing.
for object in "$work/root/usr/sbin/proftpd" "$work/root/usr/lib/proftpd/mod_tls.so"; do
    if [ ! -e "$object" ]; then
        log "missing after unpacking: $object"
        exit 1
    fi
    if ldd "$object" | grep 'not found'; then
        log "unresolved libraries for $object (see above)"
        exit 1
    fi
done
version=$("$work/root/usr/sbin/proftpd" -v 2>&1)
echo "$version; $(cd "$work/debs" && ls -- *.deb | tr '\n' ' ')" >"$work/root/$MARKER"

"${SUDO[@]}" rm -rf "$DEST"
"${SUDO[@]}" mv "$work/root" "$DEST"
log "installed into $DEST ($version)"
echo "$DEST"
