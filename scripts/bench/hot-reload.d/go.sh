#!/usr/bin/env bash
# The Go sample for scripts/bench/hot-reload.sh (sourced by it): edit MARKER rewrites the greeting constant
# of samples/go/service/greeting.go; the dev stack's watcher (entr or air) rebuilds and restarts the api, and
# GET /hello answers {"message":"MARKER"}. restore puts the file back as it was when this file was sourced.
# The URL follows API_PORT and PORT_OFFSET when the driver sets them (the kit's --port-offset).
# shellcheck disable=SC2034  # APP and URL are read by the driver
APP=samples/go
URL="http://127.0.0.1:$(( ${API_PORT:-8080} + ${PORT_OFFSET:-0} ))/hello"

go_greeting_file="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/samples/go/service/greeting.go"
go_greeting_original="$(cat "$go_greeting_file")"

edit() {
  local marker="$1"
  [[ $marker =~ ^[A-Za-z0-9._:-]+$ ]] || { echo "go.sh: marker must be letters, digits, . _ : - (got '$marker')" >&2; return 2; }
  # One write of the whole file (not sed -i's rename): the watcher sees a single change of the same file.
  printf '%s\n' "${go_greeting_original/const greeting = \"*\"/const greeting = \"$marker\"}" > "$go_greeting_file"
}

restore() {
  printf '%s\n' "$go_greeting_original" > "$go_greeting_file"
}
