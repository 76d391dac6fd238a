#!/usr/bin/env bash
# Runs "$@" in a private network namespace with its own loopback, when this user may make one
# (root, or unprivileged user namespaces): the fault run's servers, its 2,000 idle connections and
# its 127.0.x.y source addresses then meet nobody else's test run on this machine. Otherwise
# (a CI container without CAP_SYS_ADMIN) "$@" runs as it is: every port is chosen free, so it
# still works beside other runs.
set -euo pipefail
if command -v unshare >/dev/null && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
  exec unshare -n bash -c 'ip link set lo up && exec "$@"' netns "$@"
fi
exec "$@"
