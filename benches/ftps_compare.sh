#!/usr/bin/env bash
# FTPS (explicit, PROT P) download speed: this crate (rustls and native-tls) against curl on
# the same local vsftpd (ssl_enable=YES, require_ssl_reuse=NO so every client can transfer).
#
#   bash benches/ftps_compare.sh [SIZE_MIB] [RUNS]     (defaults: 256 MiB, 3 runs)
#
# Needs root (vsftpd with a local user); installs vsftpd, curl and openssl when missing.
# Prints the median MiB/s of each client (whole process: connect, AUTH, login, transfer) and
# the ratio to curl, all from this one run: compare ratios, not absolute numbers across runs.
set -euo pipefail

SIZE_MIB=${1:-256}
RUNS=${2:-3}
# shellcheck source=benches/vsftpd_bench.sh
source "$(dirname "$0")/vsftpd_bench.sh"
bench_prepare ftps_compare.sh curl openssl
mkdir -p "$WORK/cert"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/cert/key.pem" -out "$WORK/cert/cert.pem" \
    -days 2 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext basicConstraints=critical,CA:FALSE 2>/dev/null
bench_start_vsftpd "ssl_enable=YES
rsa_cert_file=$WORK/cert/cert.pem
rsa_private_key_file=$WORK/cert/key.pem
force_local_logins_ssl=NO
force_local_data_ssl=NO
require_ssl_reuse=NO"

echo "building the example in release mode (both TLS backends)..."
(cd "$ROOT" && cargo build --quiet --release --all-features --example ftps_get)
BIN="$ROOT/target/release/examples/ftps_get"
CA="$WORK/cert/cert.pem"

declare -A RESULT
CLIENTS=(curl ftplib-rustls ftplib-native-tls)
for run in $(seq "$RUNS"); do
    for client in "${CLIENTS[@]}"; do
        case "$client" in
        curl) s=$(timed curl -s --ssl-reqd -k -o /dev/null "ftp://$USER_NAME:$USER_PASS@127.0.0.1:$PORT/src.bin") ;;
        ftplib-rustls) s=$(timed "$BIN" localhost "$PORT" "$USER_NAME" "$USER_PASS" src.bin rustls "$CA") ;;
        ftplib-native-tls) s=$(timed "$BIN" localhost "$PORT" "$USER_NAME" "$USER_PASS" src.bin native-tls "$CA") ;;
        esac
        RESULT[$client]="${RESULT[$client]:-} $s"
    done
done

echo
echo "vsftpd FTPS (PROT P) on loopback, ${SIZE_MIB} MiB from /dev/shm, median of $RUNS runs"
printf '%-18s %10s %10s\n' client "MiB/s" "vs curl"
# shellcheck disable=SC2086
curl_rate=$(python3 -c "print($BYTES / 1048576 / $(median ${RESULT[curl]}))")
for client in "${CLIENTS[@]}"; do
    # shellcheck disable=SC2086
    rate=$(python3 -c "print($BYTES / 1048576 / $(median ${RESULT[$client]}))")
    printf '%-18s %10.1f %9.2fx\n' "$client" "$rate" "$(python3 -c "print($rate / $curl_rate)")"
done
