#!/usr/bin/env bash
# Entrypoint of the Redis stand-in, after the official image's: options alone or a config
# file mean "redis-server ...", root drops to the redis user, and protected mode is off
# (the official image compiles it off) so other containers can connect without a password.
set -Eeuo pipefail

redis_main() {
  if [[ ${1:-} == -* || ${1:-} == *.conf ]]; then
    set -- redis-server "$@"
  fi
  if [[ ${1:-} == redis-server ]]; then
    if [[ $(id -u) == 0 ]]; then
      find . \! -user redis -exec chown redis '{}' +
      exec setpriv --reuid=redis --regid=redis --init-groups "${BASH_SOURCE[0]}" "$@"
    fi
    shift
    local -a config=()
    if [[ ${1:-} == *.conf ]]; then
      config=("$1")
      shift
    fi
    # Defaults first, so options given by the caller win.
    set -- redis-server "${config[@]}" --protected-mode no --bind '* -::*' "$@"
  fi
  exec "$@"
}

redis_main "$@"
