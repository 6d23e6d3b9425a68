#!/usr/bin/env bash
# The project's test command: bash scripts/test.sh
#
# Installs what the real-server tests need when it is missing (Debian/Ubuntu: vsftpd and openssl
# via apt-get; proftpd and pure-ftpd side by side via scripts/install_proftpd.sh and
# scripts/install_pure_ftpd.sh; pyftpdlib and pyOpenSSL via
# pip; rustfmt and clippy via rustup), then runs:
#   cargo fmt --check, clippy (default features and rustls, -D warnings),
#   cargo test (default features = native-tls) and cargo test --no-default-features --features rustls.
#
# Run as root (CI does): the vsftpd tests start vsftpd and log in as a system user it creates
# (`ftptest`). As a normal user, installation goes through sudo when available, but the vsftpd
# tests themselves still need root.
#
# Environment:
#   FTPLIB_TEST_FAST=1   skip the two clippy steps (quick local loops).
#   FTPLIB_KEEP_TEST_DIRS=1   keep the test servers' temp dirs (configs, logs) for inspection.
#   FTPLIB_PROFTPD_CACHE=DIR  where proftpd is unpacked (default
#                        /var/cache/ftplib-test-servers/proftpd; kept between runs).
#   FTPLIB_PURE_FTPD_CACHE=DIR  where pure-ftpd is unpacked (default
#                        /var/cache/ftplib-test-servers/pure-ftpd; kept between runs).
#   Exported to the tests: FTPLIB_PROFTPD_ROOT and FTPLIB_PURE_FTPD_ROOT (the unpacked
#   servers; tests/common/mod.rs).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() {
    printf '\n==== %s ====\n' "$*"
}

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    SUDO=()
    echo "warning: not root and no sudo; installing missing packages will fail" >&2
fi

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
        apt_updated=1
    fi
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

step "Installing test servers (if missing)"
missing=()
if ! command -v /usr/sbin/vsftpd >/dev/null 2>&1; then missing+=(vsftpd); fi
if ! command -v openssl >/dev/null 2>&1; then missing+=(openssl); fi
if ! command -v python3 >/dev/null 2>&1; then missing+=(python3); fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "apt-get install: ${missing[*]}"
    apt_install "${missing[@]}"
else
    echo "vsftpd, openssl and python3 present"
fi

if ! python3 -c 'import pyftpdlib, OpenSSL' >/dev/null 2>&1; then
    if ! python3 -m pip --version >/dev/null 2>&1; then
        apt_install python3-pip
    fi
    pip_install() {
        if [ "$(id -u)" -eq 0 ] || [ -w "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" ]; then
            python3 -m pip install --quiet "$@"
        else
            python3 -m pip install --quiet --user "$@"
        fi
    }
    echo "pip install: pyftpdlib pyOpenSSL"
    # Debian's system Python is "externally managed" (PEP 668): retry with the override.
    pip_install pyftpdlib pyOpenSSL ||
        pip_install --break-system-packages pyftpdlib pyOpenSSL
    python3 -c 'import pyftpdlib, OpenSSL'
else
    echo "pyftpdlib and pyOpenSSL present"
fi

# proftpd cannot be apt-installed next to vsftpd (the packages conflict), so it is unpacked
# into a cache directory; the tests find it through FTPLIB_PROFTPD_ROOT. Any failure here
# stops the run: the proftpd tests must never be skipped silently.
step "proftpd side by side (if missing)"
FTPLIB_PROFTPD_ROOT=$(bash scripts/install_proftpd.sh)
export FTPLIB_PROFTPD_ROOT
echo "FTPLIB_PROFTPD_ROOT=$FTPLIB_PROFTPD_ROOT"

# Same for pure-ftpd (it conflicts with vsftpd and proftpd-core too).
step "pure-ftpd side by side (if missing)"
FTPLIB_PURE_FTPD_ROOT=$(bash scripts/install_pure_ftpd.sh)
export FTPLIB_PURE_FTPD_ROOT
echo "FTPLIB_PURE_FTPD_ROOT=$FTPLIB_PURE_FTPD_ROOT"

step "Rust toolchain components"
if ! cargo fmt --version >/dev/null 2>&1; then rustup component add rustfmt; fi
if [ "${FTPLIB_TEST_FAST:-0}" != 1 ] && ! cargo clippy --version >/dev/null 2>&1; then
    rustup component add clippy
fi
cargo --version
cargo fmt --version
if [ "${FTPLIB_TEST_FAST:-0}" != 1 ]; then cargo clippy --version; fi

step "cargo fmt --all -- --check"
cargo fmt --all -- --check

if [ "${FTPLIB_TEST_FAST:-0}" = 1 ]; then
    step "clippy skipped (FTPLIB_TEST_FAST=1)"
else
    step "cargo clippy --all-targets -- -D warnings"
    cargo clippy --all-targets -- -D warnings

    step "cargo clippy --all-targets --no-default-features --features rustls -- -D warnings"
    cargo clippy --all-targets --no-default-features --features rustls -- -D warnings
fi

step "cargo test (default features: native-tls)"
cargo test

step "cargo test --no-default-features --features rustls"
cargo test --no-default-features --features rustls

step "All checks passed"
