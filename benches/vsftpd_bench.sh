# Set-up shared by benches/compare.sh and benches/ftps_compare.sh: sourced, not run.
#
# bench_prepare SCRIPT PACKAGE...   checks for root, installs vsftpd and the given commands
#                                   when missing, creates the bench user, and makes $WORK in
#                                   /dev/shm with $SIZE_MIB MiB of random data in home/src.bin;
#                                   sets PORT and BYTES.
# bench_start_vsftpd [CONFIG]       starts vsftpd on 127.0.0.1:$PORT with the common config
#                                   plus CONFIG lines; it is stopped and $WORK removed on exit.
# timed COMMAND...                  prints the seconds COMMAND took (its output is discarded).
# median NUMBER...                  prints the median.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
USER_NAME=ftpbench
USER_PASS=ftpbench123

bench_prepare() {
    local script=$1
    shift
    if [ "$(id -u)" != 0 ]; then
        echo "benches/$script needs root (it starts vsftpd with a local user)" >&2
        exit 1
    fi
    local missing=() pkg
    command -v /usr/sbin/vsftpd >/dev/null || missing+=(vsftpd)
    for pkg in "$@"; do
        command -v "$pkg" >/dev/null || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if ! id "$USER_NAME" >/dev/null 2>&1; then
        useradd -m -s /bin/bash "$USER_NAME"
        echo "$USER_NAME:$USER_PASS" | chpasswd
    fi

    WORK=$(mktemp -d /dev/shm/ftplib-bench.XXXXXX)
    chmod 755 "$WORK"
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    BYTES=$((SIZE_MIB * 1024 * 1024))
    mkdir -p "$WORK/home" "$WORK/empty"
    chown "$USER_NAME" "$WORK/home"
    head -c "$BYTES" /dev/urandom > "$WORK/home/src.bin"
    chown "$USER_NAME" "$WORK/home/src.bin"
}

bench_start_vsftpd() {
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
${1:-}
EOF
    /usr/sbin/vsftpd "$WORK/vsftpd.conf" &
    SERVER=$!
    trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
    sleep 0.5
}

timed() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    python3 -c "print($end - $start)"
}

median() {
    python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"
}
