# shellcheck shell=bash disable=SC2034,SC2154
# (sourced by hot-reload.sh, which reads APP and URL and sets root, PORT_OFFSET and BENCH_WORK)
# Hot-reload bench stack: samples/django, its Django backend. The edit changes SERVICE in backend/jobs/views.py;
# runserver's autoreloader restarts the server process, and GET /api/version through nginx shows the new value once
# Django serves again. (The sample's Vite front end reloads as samples/web's does: the web stack measures that.)
# Sourced by scripts/bench/hot-reload.sh (APP, URL, edit, restore).
APP=samples/django
# The Celery worker and beat start again 3 s after an edit (python-dev-restart) and take about 3 s on 2 cores: the next
# edit waits for them, so each is timed alone. BENCH_SETTLE=1 times edits that land while they restart.
SETTLE=8
URL="http://127.0.0.1:$(host_port HTTP_PORT 8200)/api/version"
source_file="$root/$APP/backend/jobs/views.py"
cp "$source_file" "$BENCH_WORK/views.py"

edit() {
  sed -i "s/^SERVICE = \"[^\"]*\"/SERVICE = \"$1\"/" "$source_file"
}

restore() {
  cp "$BENCH_WORK/views.py" "$source_file"
}
