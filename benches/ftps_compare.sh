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
ROOT=$(cd "$(dirname "$0")/.." && pwd)
USER_NAME=ftpbench
USER_PASS=ftpbench123

if [ "$(id -u)" != 0 ]; then
    echo "benches/ftps_compare.sh needs root (it starts vsftpd with a local user)" >&2
    exit 1
fi
if ! command -v /usr/sbin/vsftpd >/dev/null || ! command -v curl >/dev/null || ! command -v openssl >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq vsftpd curl openssl >/dev/null
fi
if ! id "$USER_NAME" >/dev/null 2>&1; then
    useradd -m -s /bin/bash "$USER_NAME"
    echo "$USER_NAME:$USER_PASS" | chpasswd
fi

WORK=$(mktemp -d /dev/shm/ftplib-ftps-bench.XXXXXX)
chmod 755 "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/home" "$WORK/empty" "$WORK/cert"
chown "$USER_NAME" "$WORK/home"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$WORK/home/src.bin"
chown "$USER_NAME" "$WORK/home/src.bin"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/cert/key.pem" -out "$WORK/cert/cert.pem" \
    -days 2 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext basicConstraints=critical,CA:FALSE 2>/dev/null
cat > "$WORK/vsftpd.conf" <<EOF
listen=YES
listen_address=127.0.0.1
listen_port=$PORT
background=NO
seccomp_sandbox=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_root=$WORK/home
pam_service_name=vsftpd
secure_chroot_dir=$WORK/empty
connect_from_port_20=NO
vsftpd_log_file=$WORK/vsftpd.log
ssl_enable=YES
rsa_cert_file=$WORK/cert/cert.pem
rsa_private_key_file=$WORK/cert/key.pem
force_local_logins_ssl=NO
force_local_data_ssl=NO
require_ssl_reuse=NO
EOF
/usr/sbin/vsftpd "$WORK/vsftpd.conf" &
SERVER=$!
cleanup() {
    kill "$SERVER" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
sleep 0.5

echo "building the example in release mode (both TLS backends)..."
(cd "$ROOT" && cargo build --quiet --release --all-features --example ftps_get)
BIN="$ROOT/target/release/examples/ftps_get"
CA="$WORK/cert/cert.pem"
BYTES=$((SIZE_MIB * 1024 * 1024))

timed() { # command... -> seconds
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    python3 -c "print($end - $start)"
}
median() {
    python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"
}

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
