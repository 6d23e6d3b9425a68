# Shared by scripts/install_proftpd.sh and scripts/install_pure_ftpd.sh (sourced, not run):
# installs Debian packages SIDE BY SIDE into a directory instead of apt-installing them.
#
# Why: Debian's vsftpd, proftpd-core and pure-ftpd all conflict (`Conflicts: ftp-server`),
# and the tests need vsftpd installed. So the .debs are fetched with `apt-get download` and
# unpacked with `dpkg -x` (the binaries run from there); only the shared libraries they
# depend on are apt-installed (those conflict with nothing).
#
# The caller sets, then calls `side_by_side_install`:
#   NAME       short name for messages and the work directory (e.g. proftpd)
#   DEST       the install directory
#   PACKAGES   array of package names to unpack
#   OBJECTS    array of paths relative to DEST that must exist and have all their libraries
#   version_of a function: `version_of ROOT` prints the installed version (one line) and
#              fails when the binary under ROOT cannot run
# It prints DEST on stdout when done.
#
# Idempotent and fast when DEST already holds a complete install (a marker file is written
# last, and the unpacked tree is moved into place in one rename, so an interrupted run never
# leaves a half install that looks complete). Fails loudly on any error. Needs root (or sudo)
# for apt-get.

MARKER=.ftplib-installed

log() { echo "install_$NAME: $*" >&2; }

side_by_side_install() {
    local -a sudo
    if [ "$(id -u)" -eq 0 ]; then
        sudo=()
    else
        sudo=(sudo)
    fi

    # A complete install from an earlier run: nothing to do (running the binary once checks
    # that its libraries are still there).
    if [ -f "$DEST/$MARKER" ] && version_of "$DEST" >/dev/null 2>&1; then
        log "present in $DEST ($(cat "$DEST/$MARKER"))"
        echo "$DEST"
        return 0
    fi

    local apt_updated=0
    apt_update_once() {
        if [ "$apt_updated" -eq 0 ]; then
            "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
            apt_updated=1
        fi
    }

    local parent work
    parent=$(dirname "$DEST")
    "${sudo[@]}" mkdir -p "$parent"
    work=$("${sudo[@]}" mktemp -d "$parent/.$NAME-install.XXXXXX")
    "${sudo[@]}" chmod 755 "$work"
    # Global on purpose: the EXIT trap runs after this function has returned.
    SIDE_BY_SIDE_WORK=$work
    SIDE_BY_SIDE_SUDO=("${sudo[@]}")
    trap '"${SIDE_BY_SIDE_SUDO[@]}" rm -rf "$SIDE_BY_SIDE_WORK"' EXIT
    mkdir_owned() { "${sudo[@]}" mkdir -p "$1" && "${sudo[@]}" chown "$(id -u):$(id -g)" "$1"; }
    mkdir_owned "$work/debs"
    mkdir_owned "$work/root"
    # apt-get download as root drops privileges to _apt, which must be able to write there
    # (otherwise it warns and downloads unsandboxed).
    "${sudo[@]}" chown _apt "$work/debs" 2>/dev/null || true

    # `apt-get download` needs package lists; a fresh machine may have none, an old one stale
    # ones (a 404 for a superseded version): update once and retry.
    if ! (cd "$work/debs" && "${sudo[@]}" apt-get download -qq "${PACKAGES[@]}" >&2); then
        apt_update_once
        (cd "$work/debs" && "${sudo[@]}" apt-get download -qq "${PACKAGES[@]}" >&2)
    fi

    # The shared libraries the packages declare (libhiredis0.14, libsodium23, ...).
    local -a libs=() missing=()
    local deb dep lib
    for deb in "$work"/debs/*.deb; do
        while read -r dep; do
            [ -n "$dep" ] && libs+=("$dep")
        done < <(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/[(|].*//; s/^ *//; s/ *$//' | grep '^lib' || true)
    done
    for lib in $(printf '%s\n' "${libs[@]}" | sort -u); do
        if ! dpkg-query -W -f='${Status}' "$lib" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$lib")
        fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        log "apt-get install ${missing[*]}"
        apt_update_once
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    fi

    for deb in "$work"/debs/*.deb; do
        dpkg -x "$deb" "$work/root"
    done

    # Check before declaring success: every object exists and links no missing library.
    local object
    for object in "${OBJECTS[@]}"; do
        if [ ! -e "$work/root/$object" ]; then
            log "missing after unpacking: $object"
            exit 1
        fi
        if ldd "$work/root/$object" | grep 'not found'; then
            log "unresolved libraries for $object (see above)"
            exit 1
        fi
    done
    local version
    if ! version=$(version_of "$work/root"); then
        log "the unpacked binary does not run: $version"
        exit 1
    fi
    echo "$version; $(cd "$work/debs" && ls -- *.deb | tr '\n' ' ')" >"$work/root/$MARKER"

    "${sudo[@]}" rm -rf "$DEST"
    "${sudo[@]}" mv "$work/root" "$DEST"
    log "installed into $DEST ($version)"
    echo "$DEST"
}
