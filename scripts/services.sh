#!/usr/bin/env bash
# The services the tests talk to: Redis on 127.0.0.1:6379 (queues and indexes of the workers).
# Machines here run one already; if none answers, start a throwaway one that keeps nothing.
# The Debian package's own service is not relied on: a container has no init.
# The S3 archive tests start their own S3-compatible server (moto) on loopback.
set -euo pipefail

redis_answers() { python3 - <<'PY'
import socket, sys
try:
    with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
        s.sendall(b"PING\r\n")
        sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
except OSError:
    sys.exit(1)
PY
}

# The binary too, even when a Redis answers: the restart and data-loss tests
# (tests/workers/test_redis_restart.py, test_redis_lost.py) start throwaway servers of their own.
if ! command -v redis-server >/dev/null; then
    echo "services: installing redis-server"
    as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    { as_root apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends redis-server >/dev/null; } ||
        echo "services: installing redis-server failed (its package may not start beside a running Redis)" >&2
fi

if redis_answers; then
    echo "services: redis answers on 127.0.0.1:6379"
    exit 0
fi
echo "services: starting redis-server on 127.0.0.1:6379"
redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --daemonize yes
for _ in $(seq 50); do redis_answers && exit 0; sleep 0.1; done
echo "services: redis did not answer on 127.0.0.1:6379" >&2
exit 1
