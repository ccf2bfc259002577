#!/usr/bin/env bash
# Waits until every container of a compose project is healthy (or running, when it has no
# health check). Compose v1 has no `up --wait` (it prints its usage and exits 0), so this is
# the health gate for v1; it works for v2 projects as well.
#
#   scripts/ci/compose-wait-healthy.sh PROJECT [TIMEOUT_SECONDS=180]
#
# Exits 0 when all are healthy; 1 on timeout, or at once when a container exited or is
# unhealthy, printing the states and the last log lines of the failing containers.
set -euo pipefail

project="${1:?usage: compose-wait-healthy.sh PROJECT [TIMEOUT_SECONDS]}"
timeout="${2:-180}"
deadline=$((SECONDS + timeout))

container_states() {
  local id
  for id in $(docker ps -aq --filter "label=com.docker.compose.project=$project"); do
    docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id"
  done
}

while :; do
  states=$(container_states)
  [[ -n $states ]] || { echo "compose-wait-healthy: no containers in project $project" >&2; exit 1; }
  waiting=0 failed=()
  while read -r name status health; do
    if [[ $status == exited || $status == dead || $health == unhealthy ]]; then
      failed+=("${name#/}")
    elif [[ $status != running || ($health != healthy && $health != none) ]]; then
      waiting=1
    fi
  done <<<"$states"
  if ((${#failed[@]} > 0)) || { ((waiting)) && ((SECONDS >= deadline)); }; then
    echo "compose-wait-healthy: project $project is not healthy:" >&2
    printf '  %s\n' "$states" >&2
    for name in "${failed[@]}"; do
      echo "--- last log lines of $name" >&2
      docker logs --tail 20 "$name" >&2 2>&1 || true
    done
    exit 1
  fi
  if ((!waiting)); then
    echo "compose-wait-healthy: project $project healthy after $((SECONDS))s"
    exit 0
  fi
  sleep 1
done
