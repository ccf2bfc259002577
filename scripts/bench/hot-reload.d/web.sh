# shellcheck shell=bash disable=SC2034,SC2154
# (sourced by hot-reload.sh, which reads APP and URL and sets root, PORT_OFFSET and BENCH_WORK)
# Hot-reload bench stack: samples/web. The edit changes the page's headline in src/greeting.js; the Vite dev server
# serves the module as the browser's hot module reload fetches it (/src/greeting.js), so its body shows the edit once
# Vite has seen the change. Sourced by scripts/bench/hot-reload.sh (APP, URL, edit, restore).
APP=samples/web
URL="http://127.0.0.1:$(host_port WEB_PORT 5173)/src/greeting.js"
source_file="$root/$APP/frontend/src/greeting.js"
cp "$source_file" "$BENCH_WORK/greeting.js"

edit() {
  sed -i "s/^export const headline = .*/export const headline = '$1';/" "$source_file"
}

restore() {
  cp "$BENCH_WORK/greeting.js" "$source_file"
}
