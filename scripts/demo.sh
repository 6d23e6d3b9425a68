#!/usr/bin/env bash
# The project's demo: bash scripts/demo.sh
#
# Starts a throwaway pyftpdlib server on 127.0.0.1 (free port) serving a small sample tree
# (anonymous: read-only; user demo/demo: read-write), runs
#   cargo run --quiet --example demo -- 127.0.0.1 PORT demo demo
# against it, then stops the server and removes the tree. Needs python3; installs pyftpdlib with
# pip when missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v python3 >/dev/null 2>&1; then
    echo "python3 is required (Debian: apt-get install -y python3 python3-pip)" >&2
    exit 1
fi
if ! python3 -c 'import pyftpdlib' >/dev/null 2>&1; then
    echo "==== installing pyftpdlib ===="
    python3 -m pip install --quiet pyftpdlib ||
        python3 -m pip install --quiet --user pyftpdlib ||
        python3 -m pip install --quiet --break-system-packages pyftpdlib
fi

echo "==== building the demo ===="
cargo build --quiet --example demo

work="$(mktemp -d "${TMPDIR:-/tmp}/ftplib-demo.XXXXXX")"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Sample tree.
root="$work/root"
mkdir -p "$root/notes" "$root/empty"
printf 'Welcome to the ftplib demo server.\nThis file is plain text.\nThird line.\n' >"$root/readme.txt"
printf 'first note\n' >"$root/notes/one.txt"
printf 'second note\n' >"$root/notes/two.txt"
printf 'a name with a space\n' >"$root/with space.txt"
head -c $((5 * 1024 * 1024)) /dev/urandom >"$root/big.bin"
chmod -R a+rX "$root"

# The server binds port 0 itself and reports the port, so there is no free-port race.
cat >"$work/server.py" <<'EOF'
import logging, sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

root, log = sys.argv[1], sys.argv[2]
logging.basicConfig(filename=log, level=logging.INFO)
authorizer = DummyAuthorizer()
authorizer.add_anonymous(root)
authorizer.add_user("demo", "demo", root, perm="elradfmwMT")
FTPHandler.authorizer = authorizer
server = FTPServer(("127.0.0.1", 0), FTPHandler)
print("READY", server.socket.getsockname()[1], flush=True)
server.serve_forever()
EOF

echo "==== starting pyftpdlib ===="
python3 -u "$work/server.py" "$root" "$work/server.log" >"$work/server.out" 2>&1 &
server_pid=$!

port=""
for _ in $(seq 1 150); do
    if read -r word value <"$work/server.out" 2>/dev/null && [ "$word" = READY ]; then
        port="$value"
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "pyftpdlib did not start:" >&2
    cat "$work/server.out" >&2
    exit 1
fi
echo "pyftpdlib listening on 127.0.0.1:$port (anonymous read-only, user demo/demo read-write)"

echo "==== cargo run --quiet --example demo -- 127.0.0.1 $port demo demo ===="
cargo run --quiet --example demo -- 127.0.0.1 "$port" demo demo
