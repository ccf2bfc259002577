# shellcheck shell=bash disable=SC2034,SC2154
# (sourced by hot-reload.sh, which reads APP and URL and sets root, PORT_OFFSET and BENCH_WORK)
# Hot-reload bench stack: samples/go. The edit rewrites the greeting constant of service/greeting.go; the dev
# image's watcher (entr on the offline stand-in, air on the official golang image) rebuilds and restarts the api,
# and GET /hello answers {"message":"MARKER"} once it serves again.
# Sourced by scripts/bench/hot-reload.sh (APP, URL, edit, restore).
APP=samples/go
URL="http://127.0.0.1:$(host_port API_PORT 8080)/hello"
source_file="$root/$APP/service/greeting.go"
cp "$source_file" "$BENCH_WORK/greeting.go"

edit() {
  # One write of the whole file (sed -i renames a new file over it): the watcher sees one change of the same file.
  local edited
  edited=$(sed "s/^const greeting = \".*\"/const greeting = \"$1\"/" "$BENCH_WORK/greeting.go")
  printf '%s\n' "$edited" >"$source_file"
}

restore() {
  cp "$BENCH_WORK/greeting.go" "$source_file"
}
