#!/usr/bin/env bash
# Database benchmark, side by side in one run: the kit's Backup, DbReset --from-snapshot and Restore --backup=latest
# against the raw commands a Makefile runs (pg_dump -Fc; dropdb + createdb + pg_restore), measured alternately (kit,
# raw, kit, raw, ...) so a load that comes and goes hits both, and compared by their medians.
# Usage: scripts/bench/database.sh [pgbench scale, default 30 (about 456 MB)] [runs, default 5]
# A throwaway PostgreSQL server from the host's binaries (initdb in a temporary folder, 127.0.0.1 and a unix socket
# only, fsync off like the integration tests' server), pointed at by the kit as the integration tests do: the tests'
# fixture app (KIT_ROOT) and --connection. Targets: Backup <= 1.05x, DbReset --from-snapshot <= 0.3x, Restore <= 1.0x.
# A benchmark, not a test: it prints, CI asserts nothing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scale="${1:-30}"
runs="${2:-5}"
password="kit-bench-Pa55word"

bin="${KIT_BENCH_PG_BIN:-}"
if [ -z "$bin" ]; then
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && bin="$candidate"
  done
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: run scripts/ci/install-postgres.sh, or set KIT_BENCH_PG_BIN." >&2
  exit 2
fi

work="$(mktemp -d /tmp/kit-bench-db.XXXXXX)"
chmod 755 "$work"
run_as=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses root: the server runs as nobody, as in the integration tests.
  chown nobody: "$work"
  run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi

port=""
for candidate in $(seq 56150 56199); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port="$candidate"
    break
  fi
done
[ -n "$port" ] || { echo "No free port in 56150-56199." >&2; exit 1; }

cleanup() {
  "${run_as[@]}" "$bin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "$password" >"$work/password"
"${run_as[@]}" "$bin/initdb" -D "$work/data" -U postgres --pwfile="$work/password" --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --locale=C --no-sync >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
"${run_as[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null

export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres PGPASSWORD="$password"
createdb bench
echo "pgbench -i -s $scale into a throwaway PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ..."
"$bin/pgbench" -i -q -s "$scale" bench >/dev/null 2>&1
echo "database size: $(psql -Atc "SELECT pg_size_pretty(pg_database_size('bench'))" postgres)"

# The integration tests' own fixture app (their database config), as an app folder of its own (--app): the kit never
# reads the repository's config/ here, and its backups go to the throwaway folder.
app="$work/app"
mkdir -p "$app/config"
cp -R "$root/tests/Integration.Tests/Fixtures/app/." "$app/"
cp -R "$root/config/schema" "$app/config/schema"
cat >"$app/config/project.json" <<'JSON'
{
  "$schema": "./schema/project.schema.json",
  "name": "bench",
  "defaultEnvironment": "dev",
  "environments": {
    "dev": { "description": "the benchmark's throwaway server", "local": true },
    "local-prod": { "description": "named by the fixture's other files", "local": true },
    "staging": { "description": "named by the fixture's other files" },
    "production": { "description": "named by the fixture's other files", "protected": true }
  }
}
JSON
connection="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=bench"
kit() { NO_COLOR=1 "$root/build.sh" "$@" --app="$app" --connection="$connection"; }

# Warm up: the build program's stamp, the server's caches; the snapshot the resets use and the raw dump they restore.
kit --target=Default >/dev/null
kit --target=DbReset --save-snapshot=bench >/dev/null
pg_dump -Fc -f "$work/raw.dump" bench
kit --target=Backup >/dev/null

ms() { local start end; start=$(date +%s%N); "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; return 1; }; end=$(date +%s%N); echo $(((end - start) / 1000000)); }
raw_restore() { dropdb bench && createdb bench && pg_restore -d bench "$work/raw.dump"; }

declare -a kit_backup raw_backup kit_reset raw_reset kit_restore raw_restore
for ((i = 0; i < runs; i++)); do
  kit_backup+=("$(ms kit --target=Backup)")
  raw_backup+=("$(ms pg_dump -Fc -f "$work/raw-$i.dump" bench)")
  kit_reset+=("$(ms kit --target=DbReset --from-snapshot=bench)")
  raw_reset+=("$(ms raw_restore)")
  kit_restore+=("$(ms kit --target=Restore --backup=latest)")
  raw_restore+=("$(ms raw_restore)")
  echo "run $((i + 1))/$runs: backup ${kit_backup[i]}/${raw_backup[i]} ms, reset ${kit_reset[i]}/${raw_reset[i]} ms, restore ${kit_restore[i]}/${raw_restore[i]} ms (kit/raw)"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
line() {
  awk -v name="$1" -v k="$2" -v raw="$3" -v r="$4" -v target="$5" 'BEGIN {
    ratio = k / r
    printf "  %-28s kit %6.2f s   %-40s %6.2f s   ratio %.2fx   target <= %.2fx: %s\n", name, k / 1000, raw, r / 1000, ratio, target, ratio <= target ? "met" : "NOT met"
  }'
}
echo "medians of $runs alternating runs, pgbench scale $scale, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg):"
line "Backup" "$(median "${kit_backup[@]}")" "pg_dump -Fc" "$(median "${raw_backup[@]}")" 1.05
line "DbReset --from-snapshot" "$(median "${kit_reset[@]}")" "dropdb + createdb + pg_restore" "$(median "${raw_reset[@]}")" 0.30
line "Restore --backup=latest" "$(median "${kit_restore[@]}")" "dropdb + createdb + pg_restore" "$(median "${raw_restore[@]}")" 1.00
