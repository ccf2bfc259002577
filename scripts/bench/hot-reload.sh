#!/usr/bin/env bash
# Hot-reload benchmark: how long a source edit takes to be served by each dev stack, side by side in one run.
# For each stack file scripts/bench/hot-reload.d/<stack>.sh (all of them, or the stacks named as arguments) it starts
# the app's dev stack with ./build.sh --target=DevUp --app=$APP on a project of its own, makes N edits, times each from
# the edit to the first answer of URL whose body shows it, prints the median per stack beside the target (at most
# 2 s), restores the source and removes the stack (DevDown --volumes). It measures; it does not judge: the exit code is
# 0 whatever the times, non-zero only when a stack could not be measured at all.
#
#   scripts/bench/hot-reload.sh [STACK...]        e.g. scripts/bench/hot-reload.sh python web
#
# A stack file is sourced in a subshell of its own, after PORT_OFFSET and BENCH_WORK (a scratch folder) are set, and
# defines:
#   APP=<app folder>            e.g. samples/web
#   URL=<url>                   whose body shows the edited text once served; host_port VARIABLE DEFAULT gives the
#                               published port (the variable from the environment or the app's .env, plus PORT_OFFSET)
#   edit MARKER                 changes the source so that the body of URL contains MARKER once served
#   restore                     puts the source back as it was
#   SETTLE=<seconds>            (optional) the pause after each served edit, when the stack has other reloaders that
#                               restart after it (the Django sample's Celery worker and beat, started 3 s after an edit):
#                               each edit is then timed alone. BENCH_SETTLE, when set, wins.
#
# Needs python3 on the host (the poller). Environment: BENCH_EDITS (7), BENCH_PORT_OFFSET (0, added to every host port of the stacks), BENCH_PROJECT_PREFIX
# (bench-hot-reload; the project is <prefix>-<stack>), BENCH_EDIT_TIMEOUT (30 s: an edit not served by then counts
# as not served), BENCH_SETTLE (1 s between edits, so a reloader that restarts is up again; else the stack's SETTLE).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
stacks_dir="$root/scripts/bench/hot-reload.d"
edits="${BENCH_EDITS:-7}"
export PORT_OFFSET="${BENCH_PORT_OFFSET:-0}"
prefix="${BENCH_PROJECT_PREFIX:-bench-hot-reload}"
edit_timeout="${BENCH_EDIT_TIMEOUT:-30}"
settle="${BENCH_SETTLE:-}"
target_ms=2000
work="$root/.build/bench/hot-reload"
mkdir -p "$work"

say() { printf 'hot-reload: %s\n' "$*"; }

if (($#)); then
  stacks=("$@")
else
  stacks=()
  for file in "$stacks_dir"/*.sh; do
    [[ -e $file ]] && stacks+=("$(basename "$file" .sh)")
  done
fi
for stack in "${stacks[@]}"; do
  [[ -f "$stacks_dir/$stack.sh" ]] || { echo "hot-reload: no stack file $stacks_dir/$stack.sh (have: $(find "$stacks_dir" -name '*.sh' -printf '%f ' | sed 's/\.sh//g'))" >&2; exit 2; }
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# shellcheck disable=SC2317 # called by the stack files this script sources
# host_port VARIABLE DEFAULT: the published port as the kit computes it (environment, else the app's .env, else
# DEFAULT; plus PORT_OFFSET), for the stack files' URL.
host_port() {
  local variable="$1" base="${!1:-}"
  if [[ -z $base && -f "$root/$APP/.env" ]]; then
    base=$(sed -n "s/^$variable=//p" "$root/$APP/.env" | tail -1)
  fi
  echo $((${base:-$2} + PORT_OFFSET))
}

# One poller per stack, started before the first edit and fed "START_MS MARKER" lines: it answers the ms from
# START_MS until URL's body shows MARKER (an empty line when the edit timeout passes), polling every 20 ms. A
# curl | grep pair every 50 ms was three processes started 20 times a second beside the restart being timed, which on
# 2 cores added about 0.4 s to the Django edit; a process per edit would add its own start (0.4 s through a pyenv shim).
# shellcheck disable=SC2016 # Python, not shell
poller='
import sys, time, urllib.request
url, timeout = sys.argv[1], float(sys.argv[2])
for line in sys.stdin:
    start, marker = line.split(None, 1)
    start, marker, elapsed = int(start) / 1000, marker.strip().encode(), ""
    while time.time() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if marker in response.read():
                    elapsed = str(round((time.time() - start) * 1000))
                    break
        except Exception:
            pass
        time.sleep(0.02)
    print(elapsed, flush=True)
'

# measure_stack STACK: in a subshell; prints one "STACK MEDIAN_MS SERVED/EDITS" line on fd 3.
measure_stack() {
  # Not local: the EXIT trap (DevDown, restore) runs when the subshell ends, after this function has returned.
  stack="$1" project="$prefix-$1" log="$work/$1.log"
  export BENCH_WORK="$work/$stack"
  rm -rf "$BENCH_WORK" && mkdir -p "$BENCH_WORK"
  # shellcheck source=/dev/null
  source "$stacks_dir/$stack.sh"
  : "${APP:?$stack.sh must set APP}" "${URL:?$stack.sh must set URL}"
  kit=("$root/build.sh" "--app=$APP" "--project-name=$project" "--port-offset=$PORT_OFFSET")
  # shellcheck disable=SC2317 # the EXIT trap calls it
  finish() {
    restore || true
    "${kit[@]}" --target=DevDown --volumes "--confirm=$project" >>"$log" 2>&1 || say "$stack: DevDown failed (see $log)"
  }
  trap finish EXIT

  say "$stack: DevUp --app=$APP (project $project; log $log)"
  local begun; begun=$(now_ms)
  if ! "${kit[@]}" --target=DevUp >"$log" 2>&1; then
    tail -25 "$log" >&2
    say "$stack: DevUp failed: not measured"
    return 1
  fi
  local pause="${settle:-${SETTLE:-1}}"
  say "$stack: up in $(( ($(now_ms) - begun) / 1000 )) s; $edits edits of the source ${pause} s apart once served, polling $URL"

  coproc POLL { python3 -u -c "$poller" "$URL" "$edit_timeout"; }
  local samples=() served=0 i marker start elapsed
  for ((i = 1; i <= edits; i++)); do
    marker="hot-reload-$stack-$i-$RANDOM"
    start=$(now_ms)
    edit "$marker"
    echo "$start $marker" >&"${POLL[1]}"
    read -r elapsed <&"${POLL[0]}"
    if [[ -n $elapsed ]]; then
      served=$((served + 1))
      samples+=("$elapsed")
      say "$stack: edit $i/$edits served after $(awk -v ms="$elapsed" 'BEGIN { printf "%.3f", ms / 1000 }') s"
    else
      samples+=($((edit_timeout * 1000)))
      say "$stack: edit $i/$edits not served within ${edit_timeout} s"
    fi
    sleep "$pause"
  done
  local median
  median=$(printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$stack $median $served/$edits" >&3
}

results="$work/results"
: >"$results"
failed=0
for stack in "${stacks[@]}"; do
  (measure_stack "$stack") 3>>"$results" || failed=1
done

awk -v target="$target_ms" -v edits="$edits" '
  BEGIN { printf "median of %d edits, edit to served (target: at most %.1f s)\n", edits, target / 1000 }
  { printf "  %-10s %7.3f s   %s   (%s served)\n", $1, $2 / 1000, ($2 <= target ? "met" : "NOT met"), $3 }
' "$results"
exit "$failed"
