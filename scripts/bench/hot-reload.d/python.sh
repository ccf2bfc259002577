# shellcheck shell=bash disable=SC2034,SC2154
# (sourced by hot-reload.sh, which reads APP and URL and sets root, PORT_OFFSET and BENCH_WORK)
# Hot-reload bench stack: samples/python. The edit changes the FastAPI app's title in sample_app/api.py; uvicorn
# --reload restarts the worker process, and GET /openapi.json shows the new title once it serves again.
# Sourced by scripts/bench/hot-reload.sh (APP, URL, edit, restore).
APP=samples/python
URL="http://127.0.0.1:$(host_port API_PORT 8000)/openapi.json"
source_file="$root/$APP/service/sample_app/api.py"
cp "$source_file" "$BENCH_WORK/api.py"

edit() {
  sed -i "s/^app = FastAPI(title=\"[^\"]*\"/app = FastAPI(title=\"$1\"/" "$source_file"
}

restore() {
  cp "$BENCH_WORK/api.py" "$source_file"
}
