#!/usr/bin/env bash
# Compares this crate with curl and Python's ftplib on the same local vsftpd.
#
#   bash benches/compare.sh [SIZE_MIB] [RUNS]     (defaults: 1024 MiB, 3 runs)
#
# Starts vsftpd on 127.0.0.1 (installing vsftpd, curl and a test user when missing; needs
# root), serves a file from /dev/shm, and times RETR and STOR for each client. Prints the
# median MiB/s of each and its ratio to curl and to ftplib, all measured in this one run:
# these machines are noisy, so compare ratios, not absolute numbers across runs.
set -euo pipefail

SIZE_MIB=${1:-1024}
RUNS=${2:-3}
# shellcheck source=benches/vsftpd_bench.sh
source "$(dirname "$0")/vsftpd_bench.sh"
bench_prepare compare.sh curl
bench_start_vsftpd

echo "building the example in release mode..."
(cd "$ROOT" && cargo build --quiet --release --example bench_transfer)
BIN="$ROOT/target/release/examples/bench_transfer"
URL="ftp://$USER_NAME:$USER_PASS@127.0.0.1:$PORT"

rate() { # seconds -> MiB/s
    python3 -c "print(f'{$BYTES / 1048576 / $1:.1f}')"
}

py_retr() {
    python3 - "$PORT" "$USER_NAME" "$USER_PASS" <<'EOF'
import ftplib, sys
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", int(sys.argv[1]))
ftp.login(sys.argv[2], sys.argv[3])
ftp.retrbinary("RETR src.bin", lambda b: None, 65536)
ftp.quit()
EOF
}
py_stor() {
    python3 - "$PORT" "$USER_NAME" "$USER_PASS" "$BYTES" <<'EOF'
import ftplib, sys, io
class Zeros(io.RawIOBase):
    def __init__(self, n): self.left = n
    def readable(self): return True
    def readinto(self, b):
        n = min(len(b), self.left); b[:n] = b"Z" * n; self.left -= n; return n
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", int(sys.argv[1]))
ftp.login(sys.argv[2], sys.argv[3])
ftp.storbinary("STOR py.bin", Zeros(int(sys.argv[4])), 65536)
ftp.quit()
EOF
}

declare -A RESULT
for client in ftplib-rs curl python-ftplib; do
    for dir in retr stor; do
        samples=()
        for _ in $(seq "$RUNS"); do
            case "$client/$dir" in
            ftplib-rs/retr) s=$(timed "$BIN" 127.0.0.1 "$PORT" "$USER_NAME" "$USER_PASS" retr src.bin) ;;
            ftplib-rs/stor) s=$(timed "$BIN" 127.0.0.1 "$PORT" "$USER_NAME" "$USER_PASS" stor rs.bin "$BYTES") ;;
            curl/retr) s=$(timed curl -s -o /dev/null "$URL/src.bin") ;;
            curl/stor) s=$(timed sh -c "head -c $BYTES /dev/zero | curl -s -T - '$URL/curl.bin'") ;;
            python-ftplib/retr) s=$(timed py_retr) ;;
            python-ftplib/stor) s=$(timed py_stor) ;;
            esac
            samples+=("$s")
        done
        RESULT[$client/$dir]=$(rate "$(median "${samples[@]}")")
    done
done

echo
echo "vsftpd on loopback, ${SIZE_MIB} MiB from /dev/shm, median of $RUNS runs (MiB/s; whole-process time including login)"
printf '%-15s %10s %10s %14s %14s\n' client RETR STOR "RETR vs curl" "RETR vs ftplib"
for client in ftplib-rs curl python-ftplib; do
    r=${RESULT[$client/retr]}
    s=${RESULT[$client/stor]}
    vc=$(python3 -c "print(f'{$r / ${RESULT[curl/retr]}:.2f}x')")
    vp=$(python3 -c "print(f'{$r / ${RESULT[python-ftplib/retr]}:.2f}x')")
    printf '%-15s %10s %10s %14s %14s\n' "$client" "$r" "$s" "$vc" "$vp"
done
printf 'STOR ratios: ftplib-rs/curl %s, ftplib-rs/python %s\n' \
    "$(python3 -c "print(f'{${RESULT[ftplib-rs/stor]} / ${RESULT[curl/stor]}:.2f}x')")" \
    "$(python3 -c "print(f'{${RESULT[ftplib-rs/stor]} / ${RESULT[python-ftplib/stor]}:.2f}x')")"
