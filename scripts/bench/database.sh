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
# Autovacuum would vacuum and analyze each freshly restored 3-million-row table during whichever measurement comes next
# (kit or raw), putting seconds of server CPU on the wrong side; neither side runs it, so it is off for both.
autovacuum = off
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

# One measurement: wall time, the client's CPU time (the command and every process it started: the kit, pg_dump,
# pg_restore, psql) and the server's (its backends, which the postmaster reaps: their CPU lands in its children's
# times). CPU time is far less sensitive than wall time to a machine shared with other builds.
postmaster="$(head -1 "$work/data/postmaster.pid")"
server_cpu() { awk '{print $16 + $17}' "/proc/$postmaster/stat"; }
ticks="$(getconf CLK_TCK)"
measure() {
  local name="$1" start end before after user system
  shift
  before="$(server_cpu)"
  TIMEFORMAT="%3U %3S"
  start=$(date +%s%N)
  { time "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }; } 2>"$work/cpu"
  # Each command is timed until the server has written out the pages it changed (a CHECKPOINT, inside the window):
  # otherwise the next command pays for them (dropdb, DROP DATABASE and a backend that needs a buffer write out the
  # dirty pages they find), and in this alternating order each side would be charged for the other's restore.
  psql -qAtX -c CHECKPOINT postgres
  end=$(date +%s%N)
  # A backend's CPU reaches the postmaster's children's times when the postmaster reaps it, a moment after the client
  # disconnected: read after a pause (outside the timed window), or a backend of the command falls between two
  # measurements and counts for neither (a raw restore showed 1 s of server CPU for its 6).
  sleep 0.3
  after="$(server_cpu)"
  read -r user system <"$work/cpu"
  eval "${name}_wall+=($(((end - start) / 1000000)))"
  eval "${name}_client+=($(awk -v u="$user" -v s="$system" 'BEGIN {printf "%d", (u + s) * 1000}'))"
  eval "${name}_server+=($(((after - before) * 1000 / ticks)))"
}
raw_restore() { dropdb bench && createdb bench && pg_restore -d bench "$work/raw.dump"; }
# Plain DbReset (migrations and seed files, no snapshot) on a small database of its own, since it rebuilds the
# database from the migrations (the pgbench tables are not in them); the raw equivalent a Makefile runs.
createdb small
small_connection="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=small"
kit_small() { NO_COLOR=1 "$root/build.sh" "$@" --app="$app" --connection="$small_connection"; }
kit_small --target=Seed >/dev/null
raw_plain_reset() {
  dropdb small && createdb small || return 1
  for file in "$app"/scripts/db/migrations/*.sql "$app"/scripts/db/seed/minimal/*.sql "$app"/scripts/db/seed/demo/*.sql; do
    psql -q -X -v ON_ERROR_STOP=1 --single-transaction -d small -f "$file" || return 1
  done
}

# shellcheck disable=SC2034 # read through eval, by name, in measure and line
declare -a kit_backup_wall kit_backup_client kit_backup_server raw_backup_wall raw_backup_client raw_backup_server \
  kit_reset_wall kit_reset_client kit_reset_server raw_reset_wall raw_reset_client raw_reset_server \
  kit_restore_wall kit_restore_client kit_restore_server raw_restore_wall raw_restore_client raw_restore_server \
  kit_plain_wall kit_plain_client kit_plain_server raw_plain_wall raw_plain_client raw_plain_server
for ((i = 0; i < runs; i++)); do
  measure kit_backup kit --target=Backup
  measure raw_backup pg_dump -Fc -f "$work/raw-$i.dump" bench
  measure kit_reset kit --target=DbReset --from-snapshot=bench
  measure raw_reset raw_restore
  measure kit_restore kit --target=Restore --backup=latest
  measure raw_restore raw_restore
  measure kit_plain kit_small --target=DbReset
  measure raw_plain raw_plain_reset
  echo "run $((i + 1))/$runs (kit/raw, wall ms): backup ${kit_backup_wall[i]}/${raw_backup_wall[i]}, reset ${kit_reset_wall[i]}/${raw_reset_wall[i]}," \
    "restore ${kit_restore_wall[i]}/${raw_restore_wall[i]}, plain reset ${kit_plain_wall[i]}/${raw_plain_wall[i]}; load $(cut -d' ' -f1 /proc/loadavg)"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
line() {
  local name="$1" raw="$2" kit_name="$3" raw_name="$4" target="$5"
  awk -v name="$name" -v raw="$raw" -v target="$target" \
    -v kw="$(eval median "\${${kit_name}_wall[@]}")" -v rw="$(eval median "\${${raw_name}_wall[@]}")" \
    -v kc="$(eval median "\${${kit_name}_client[@]}")" -v rc="$(eval median "\${${raw_name}_client[@]}")" \
    -v ks="$(eval median "\${${kit_name}_server[@]}")" -v rs="$(eval median "\${${raw_name}_server[@]}")" 'BEGIN {
    ratio = kw / rw
    printf "  %-24s kit %6.2f s   %-32s %6.2f s   ratio %.2fx   target <= %.2fx: %s\n", name, kw / 1000, raw, rw / 1000, ratio, target, ratio <= target ? "met" : "NOT met"
    printf "  %-24s CPU (client + server): kit %.2f + %.2f s, raw %.2f + %.2f s, ratio %.2fx\n", "", kc / 1000, ks / 1000, rc / 1000, rs / 1000, (kc + ks) / (rc + rs)
  }'
}
echo "medians of $runs alternating runs, pgbench scale $scale, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg):"
line "Backup" "pg_dump -Fc" kit_backup raw_backup 1.05
line "DbReset --from-snapshot" "dropdb + createdb + pg_restore" kit_reset raw_reset 0.30
line "Restore --backup=latest" "dropdb + createdb + pg_restore" kit_restore raw_restore 1.00
line "DbReset (plain)" "dropdb + createdb + psql files" kit_plain raw_plain 1.00
