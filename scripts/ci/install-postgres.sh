#!/usr/bin/env bash
# CI prerequisite of tests/Integration.Tests: PostgreSQL's server binaries (initdb, pg_ctl, postgres) and its clients
# (psql, pg_dump, pg_restore). The tests start their own throwaway server; nothing here starts one. Idempotent: when the
# binaries are already there it only reports where.
set -euo pipefail

pg_find_bin() {
  # Debian keeps server binaries out of PATH, under /usr/lib/postgresql/<major>/bin; take the newest.
  local candidate
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  candidate="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -type f -name initdb 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$candidate" ]; then
    dirname "$candidate"
    return 0
  fi
  return 1
}

pg_have_clients() {
  command -v pg_dump >/dev/null 2>&1 && command -v pg_restore >/dev/null 2>&1 && command -v psql >/dev/null 2>&1
}

pg_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-postgres.sh: PostgreSQL is missing and installing it needs root (apt-get install postgresql postgresql-client)." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The package's post-install creates and starts a cluster; the tests do not use it, so it is stopped again below.
  apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header 2>/dev/null | while read -r version name _; do
      pg_ctlcluster "$version" "$name" stop >/dev/null 2>&1 || true
    done
  fi
}

main() {
  local bin
  if bin="$(pg_find_bin)" && pg_have_clients; then
    echo "install-postgres.sh: PostgreSQL already present: $bin ($("$bin/postgres" --version))"
    return 0
  fi
  echo "install-postgres.sh: installing postgresql and postgresql-client"
  pg_install
  if ! bin="$(pg_find_bin)"; then
    echo "install-postgres.sh: initdb not found after installing postgresql." >&2
    exit 1
  fi
  echo "install-postgres.sh: PostgreSQL installed: $bin ($("$bin/postgres" --version))"
}

main "$@"
