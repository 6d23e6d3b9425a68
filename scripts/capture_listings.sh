#!/usr/bin/env bash
# Captures the raw directory listings of real FTP servers into tests/fixtures/listings/, for
# tests/captured_listings.rs. NOT run by CI: run it by hand (as root, on a Debian 12 machine like
# the one described in docs/ or /work/shared/reference/test-servers.md) when the fixtures need
# to be made again, then update the expectations in tests/captured_listings.rs if a server
# changed.
#
#   sudo bash scripts/capture_listings.sh [OUT_DIR]      (default: tests/fixtures/listings)
#
# What it does:
#   1. builds one fixture tree (sizes, dirs, symlinks, a fifo, odd names, old/recent mtimes) in
#      a fresh temp dir, owned by the system user `ftptest` (the test harness's vsftpd user);
#   2. starts, one after the other, vsftpd (/usr/sbin/vsftpd), proftpd 1.3.8 and pure-ftpd
#      1.0.50 (Debian packages unpacked with `apt-get download` + `dpkg -x`, because Debian's
#      vsftpd, proftpd-core and pure-ftpd conflict) and pyftpdlib (pip), each in the foreground
#      on 127.0.0.1 high ports only, logged in as ftptest;
#   3. with a raw-socket client (no decoding, no line splitting) saves the bytes of
#      LIST, LIST -a, MLSD (data connection) and MLST small.txt (control reply), plus a
#      readable session log, per server;
#   4. writes captured-at.txt (UTC time of the capture, for ParseOptions::new) and stops every
#      server it started.
#
# Network: binds and connects to 127.0.0.1 only. Downloads: apt-get (proftpd/pure-ftpd and
# their libraries) and pip (pyftpdlib) when missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=$(realpath -m "${1:-tests/fixtures/listings}")
mkdir -p "$OUT"

if [ "$(id -u)" -ne 0 ]; then
    echo "run as root (vsftpd, proftpd and pure-ftpd log in a system user)" >&2
    exit 1
fi

HOST=127.0.0.1
VSFTPD_PORT=2141
PROFTPD_PORT=2143
PUREFTPD_PORT=2146
PYFTPDLIB_PORT=2149
USER_NAME=ftptest
USER_PASS=ftptest123

umask 022
DIR=$(mktemp -d /tmp/ftplib-capture.XXXXXX)
chmod 755 "$DIR"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "${FTPLIB_KEEP_CAPTURE_DIR:-0}" = 1 ]; then
        echo "kept $DIR"
    else
        rm -rf "$DIR"
    fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- users and packages
if ! id "$USER_NAME" >/dev/null 2>&1; then
    useradd -m -s /bin/bash "$USER_NAME"
fi
echo "$USER_NAME:$USER_PASS" | chpasswd

PREFIX=$DIR/prefix
if ! python3 -c 'import pyftpdlib' 2>/dev/null; then
    python3 -m pip install --quiet pyftpdlib || python3 -m pip install --quiet --break-system-packages pyftpdlib
fi
export DEBIAN_FRONTEND=noninteractive
# proftpd: the same side-by-side install (and cache) as scripts/test.sh uses.
PROFTPD=$(bash scripts/install_proftpd.sh)/usr/sbin/proftpd
if ! dpkg -s libsodium23 >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq libsodium23
fi
mkdir -p "$DIR/debs" "$PREFIX"
chown _apt "$DIR/debs" 2>/dev/null || true
(cd "$DIR/debs" && apt-get download -qq pure-ftpd pure-ftpd-common)
for deb in "$DIR"/debs/*.deb; do dpkg -x "$deb" "$PREFIX"; done
PUREFTPD=$PREFIX/usr/sbin/pure-ftpd

# ---------------------------------------------------------------- the fixture tree
# Everything but old.txt and recent.txt gets the fixed mtime 2020-06-15 12:34:56 (UTC), so
# those lines show a year and do not depend on the capture date.
TREE=$DIR/tree
mkdir "$TREE"
(
    cd "$TREE"
    : >empty.bin
    printf 'hello, world\n' >small.txt                 # 13 bytes
    truncate -s 5000000000 big.bin                     # sparse, > 4 GiB
    mkdir subdir emptydir sticky
    printf 'inner\n' >subdir/inner.txt                 # 6 bytes
    printf 'spaces\n' >'with space.txt'                # 7 bytes
    printf 'padded\n' >'  padded name '                # 7 bytes; 2 leading, 1 trailing space
    printf 'caf\xc3\xa9\n' >'café.txt'                 # 6 bytes
    printf '\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\n' >'日本語.txt' # 10 bytes
    printf 'not a link\n' >'arrow -> not a link.txt'   # 11 bytes, a plain file
    printf 'dot\n' >.hidden                            # 4 bytes
    printf 'old\n' >old.txt                            # 4 bytes
    printf 'recent\n' >recent.txt                      # 7 bytes
    printf '#!/bin/sh\n' >setuid.bin                   # 10 bytes
    mkfifo fifo
    ln -s small.txt link-to-file
    ln -s subdir link-to-dir
    ln -s does-not-exist broken-link
    chown -h -R "$USER_NAME:$USER_NAME" .
    chmod 4755 setuid.bin # after chown, which clears the setuid bit
    chmod 1777 sticky
    find . -mindepth 1 -depth -exec touch -h -d '2020-06-15 12:34:56 UTC' {} +
    touch -d '2001-02-03 00:00:00 UTC' old.txt
    touch -d '-10 days' recent.txt
    touch -d '2020-06-15 12:34:56 UTC' .
)

# ---------------------------------------------------------------- the raw client
cat >"$DIR/capture.py" <<'PY'
"""Raw FTP client: saves the exact bytes of listings and replies (no decoding)."""
import re, socket, sys

host, port, user, password, cwd, prefix = sys.argv[1:7]
ctrl = socket.create_connection((host, int(port)), timeout=20)
rfile = ctrl.makefile("rb")
log = open(prefix + ".session", "w", encoding="utf-8", newline="\n")


def reply():
    """Reads one (possibly multi-line) reply; returns (code, raw bytes)."""
    raw = rfile.readline()
    if not raw:
        raise SystemExit("server closed the control connection")
    first = raw
    if first[3:4] == b"-":
        end = first[:3] + b" "
        while True:
            line = rfile.readline()
            if not line:
                raise SystemExit("server closed the control connection")
            raw += line
            if line.startswith(end):
                break
    log.write("S: " + raw.decode("utf-8", "backslashreplace").replace("\r\n", "\n"))
    return int(first[:3]), raw


def send(cmd):
    shown = "PASS ****" if cmd.startswith("PASS ") else cmd
    log.write("C: " + shown + "\n")
    ctrl.sendall(cmd.encode("utf-8") + b"\r\n")
    return reply()


def data_command(cmd):
    """PASV, then cmd; returns the data bytes, or None when the server refused cmd."""
    code, raw = send("PASV")
    if code != 227:
        raise SystemExit("PASV failed: %r" % raw)
    nums = re.search(rb"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", raw).groups()
    ip = ".".join(n.decode() for n in nums[:4])
    if ip != host:
        raise SystemExit("PASV address %s is not %s" % (ip, host))
    data = socket.create_connection((host, int(nums[4]) * 256 + int(nums[5])), timeout=20)
    code, raw = send(cmd)
    if code >= 400:
        data.close()
        return None
    chunks = []
    while True:
        chunk = data.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
    data.close()
    if code < 200:
        code, raw = reply()
    if code != 226 and code != 250:
        raise SystemExit("%s ended with %r" % (cmd, raw))
    return b"".join(chunks)


reply()
send("USER " + user)
code, raw = send("PASS " + password)
if code != 230:
    raise SystemExit("login failed: %r" % raw)
send("SYST")
send("FEAT")
code, raw = send("CWD " + cwd)
if code != 250:
    raise SystemExit("CWD failed: %r" % raw)
send("TYPE A")
for suffix, cmd in (("list", "LIST"), ("list-a", "LIST -a"), ("mlsd", "MLSD")):
    data = data_command(cmd)
    if data is None:
        print("  %-8s refused" % cmd)
        continue
    with open(prefix + "." + suffix, "wb") as f:
        f.write(data)
    print("  %-8s %d bytes" % (cmd, len(data)))
code, raw = send("MLST small.txt")
if code == 250:
    with open(prefix + ".mlst", "wb") as f:
        f.write(raw)
    print("  MLST     %d bytes" % len(raw))
else:
    print("  MLST     refused")
send("QUIT")
log.close()
PY

wait_port() { # port pid
    for _ in $(seq 1 100); do
        if ! kill -0 "$2" 2>/dev/null; then
            echo "server on port $1 exited" >&2
            return 1
        fi
        if python3 -c "import socket,sys; socket.create_connection(('$HOST', $1), timeout=1).close()" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "server on port $1 did not come up" >&2
    return 1
}

stop() { # pid
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

capture() { # name port cwd
    echo "$1:"
    python3 "$DIR/capture.py" "$HOST" "$2" "$USER_NAME" "$USER_PASS" "$3" "$OUT/$1"
}

# Removes earlier captures only once everything needed is in place.
rm -f "$OUT"/*.list "$OUT"/*.list-a "$OUT"/*.mlsd "$OUT"/*.mlst "$OUT"/*.session
date -u +%Y-%m-%dT%H:%M:%SZ >"$OUT/captured-at.txt"

# ---------------------------------------------------------------- vsftpd
VSFTPD_VERSION=$(/usr/sbin/vsftpd -v 0>&1 | sed -n 's/.*version \([0-9.]*\).*/\1/p')
mkdir -p "$DIR/vsftpd/empty"
cat >"$DIR/vsftpd/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=$HOST
listen_port=$VSFTPD_PORT
background=NO
seccomp_sandbox=NO
anonymous_enable=NO
local_enable=YES
write_enable=NO
chroot_local_user=NO
pam_service_name=vsftpd
secure_chroot_dir=$DIR/vsftpd/empty
connect_from_port_20=NO
pasv_enable=YES
pasv_address=$HOST
pasv_min_port=31400
pasv_max_port=31499
vsftpd_log_file=$DIR/vsftpd/vsftpd.log
log_ftp_protocol=YES
syslog_enable=NO
CONF
chmod 600 "$DIR/vsftpd/vsftpd.conf"
/usr/sbin/vsftpd "$DIR/vsftpd/vsftpd.conf" >"$DIR/vsftpd/stderr.log" 2>&1 &
pid=$!
PIDS+=("$pid")
wait_port $VSFTPD_PORT "$pid"
capture "vsftpd-$VSFTPD_VERSION" $VSFTPD_PORT "$TREE"
stop "$pid"

# ---------------------------------------------------------------- proftpd
PROFTPD_VERSION=$("$PROFTPD" -v 2>&1 | sed -n 's/.*Version \([0-9.a-z]*\).*/\1/p')
mkdir -p "$DIR/proftpd"
cat >"$DIR/proftpd/proftpd.conf" <<CONF
ServerType standalone
DefaultServer on
Port $PROFTPD_PORT
DefaultAddress $HOST
SocketBindTight on
UseIPv6 off
User nobody
Group nogroup
PidFile $DIR/proftpd/proftpd.pid
ScoreboardFile $DIR/proftpd/proftpd.scoreboard
ControlsEngine off
DelayTable none
WtmpLog off
SystemLog $DIR/proftpd/system.log
UseReverseDNS off
RequireValidShell off
AuthPAM off
AuthOrder mod_auth_unix.c
PassivePorts 31430 31499
CONF
"$PROFTPD" -t -c "$DIR/proftpd/proftpd.conf" >/dev/null 2>&1
"$PROFTPD" -n -c "$DIR/proftpd/proftpd.conf" >"$DIR/proftpd/stderr.log" 2>&1 &
pid=$!
PIDS+=("$pid")
wait_port $PROFTPD_PORT "$pid"
capture "proftpd-$PROFTPD_VERSION" $PROFTPD_PORT "$TREE"
stop "$pid"

# ---------------------------------------------------------------- pure-ftpd
PUREFTPD_VERSION=$("$PUREFTPD" --help 2>&1 | sed -n 's/^pure-ftpd v\([0-9.]*\).*/\1/p')
# -E: no anonymous logins; -l unix: system users (ftptest, not chrooted); -H: no DNS.
"$PUREFTPD" -S "$HOST,$PUREFTPD_PORT" -p 31460:31499 -P "$HOST" -l unix -E -H >"$DIR/pure-ftpd.log" 2>&1 &
pid=$!
PIDS+=("$pid")
wait_port $PUREFTPD_PORT "$pid"
capture "pure-ftpd-$PUREFTPD_VERSION" $PUREFTPD_PORT "$TREE"
stop "$pid"

# ---------------------------------------------------------------- pyftpdlib
PYFTPDLIB_VERSION=$(python3 -c 'import pyftpdlib; print(pyftpdlib.__ver__)')
cat >"$DIR/pyftpdlib_server.py" <<'PY'
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

host, port, user, password, home = sys.argv[1:6]
authorizer = DummyAuthorizer()
authorizer.add_user(user, password, home, perm="elr")
FTPHandler.authorizer = authorizer
FTPHandler.passive_ports = range(31470, 31500)
FTPServer((host, int(port)), FTPHandler).serve_forever()
PY
python3 "$DIR/pyftpdlib_server.py" "$HOST" $PYFTPDLIB_PORT "$USER_NAME" "$USER_PASS" "$TREE" 2>"$DIR/pyftpdlib.log" &
pid=$!
PIDS+=("$pid")
wait_port $PYFTPDLIB_PORT "$pid"
capture "pyftpdlib-$PYFTPDLIB_VERSION" $PYFTPDLIB_PORT /
stop "$pid"

echo "captured into $OUT at $(cat "$OUT/captured-at.txt")"
