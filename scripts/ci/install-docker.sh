#!/usr/bin/env bash
# Gives this machine a working Docker engine with BuildKit, Compose v2 and buildx,
# without any container registry. Idempotent: a second run takes about a second.
#
#   bash scripts/ci/install-docker.sh
#
# Environment (all optional):
#   DEBIAN_MIRROR      Debian mirror for the trixie plugin .debs (default http://deb.debian.org/debian)
#   DOCKER_PLUGIN_DIR  where the CLI plugins go (default /usr/libexec/docker/cli-plugins, which
#                      every docker client on the machine searches, the 28.x one in /usr/local/bin too)
#   DOCKERD_LOG        daemon log when this script starts dockerd (default /var/log/dockerd.log)
#   DOCKERD_WAIT       seconds to wait for the daemon to answer (default 30)
#   INOTIFY_INSTANCES  fs.inotify.max_user_instances to raise the host's limit to (default 1024)
set -euo pipefail

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
plugin_dir="${DOCKER_PLUGIN_DIR:-/usr/libexec/docker/cli-plugins}"
dockerd_log="${DOCKERD_LOG:-/var/log/dockerd.log}"
dockerd_wait="${DOCKERD_WAIT:-30}"
inotify_instances="${INOTIFY_INSTANCES:-1024}"
started_at=$SECONDS

say() { printf 'install-docker: %s\n' "$*"; }
die() { printf 'install-docker: error: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (apt-get, dockerd)"

as_root_apt() { DEBIAN_FRONTEND=noninteractive apt-get "$@"; }

install_debian_packages() {
  local missing=() package
  for package in docker.io docker-compose debootstrap; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$package")
  done
  if ((${#missing[@]} == 0)); then
    say "packages: docker.io docker-compose debootstrap already installed"
    return
  fi
  say "packages: installing ${missing[*]}"
  as_root_apt -qq update
  as_root_apt -y -qq --no-install-recommends install "${missing[@]}" >/dev/null
}

# Compose v2 and buildx are not packaged in bookworm; trixie's builds run on bookworm.
# A private apt configuration downloads them without touching the system's sources.
install_cli_plugins() {
  if [[ -x "$plugin_dir/docker-compose" && -x "$plugin_dir/docker-buildx" ]]; then
    say "plugins: compose and buildx already in $plugin_dir"
    return
  fi
  local work
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: the trap must remove this run's folder
  trap "rm -rf '$work'" RETURN
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/root"
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s trixie main\n' \
    "$mirror" >"$work/sources.list"
  local apt_private=(
    -o "Dir::Etc::sourcelist=$work/sources.list"
    -o "Dir::Etc::sourceparts=/nonexistent"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache=$work/cache"
    -o "APT::Get::List-Cleanup=false"
    -o "Debug::NoLocking=true"
    # the temp folder is root's; apt's _apt sandbox user could not write into it
    -o "APT::Sandbox::User=root"
  )
  say "plugins: downloading docker-compose and docker-buildx from trixie ($mirror)"
  as_root_apt -qq "${apt_private[@]}" update
  (cd "$work/debs" && as_root_apt -qq "${apt_private[@]}" download docker-compose docker-buildx) >/dev/null
  local deb
  for deb in "$work"/debs/*.deb; do
    dpkg-deb -x "$deb" "$work/root"
  done
  mkdir -p "$plugin_dir"
  install -m 0755 "$work/root/usr/libexec/docker/cli-plugins/docker-compose" "$plugin_dir/docker-compose"
  install -m 0755 "$work/root/usr/libexec/docker/cli-plugins/docker-buildx" "$plugin_dir/docker-buildx"
  say "plugins: installed into $plugin_dir"
}

start_daemon() {
  if docker info >/dev/null 2>&1; then
    say "daemon: already answering"
    return
  fi
  say "daemon: starting dockerd (log: $dockerd_log)"
  mkdir -p "$(dirname "$dockerd_log")"
  local dockerd
  dockerd=$(PATH="$PATH:/usr/sbin:/sbin" command -v dockerd) || die "dockerd not found"
  # setsid: the daemon must outlive this script and its caller's process group.
  setsid nohup "$dockerd" >>"$dockerd_log" 2>&1 </dev/null &
  local deadline=$((SECONDS + dockerd_wait))
  until docker info >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "dockerd did not answer within ${dockerd_wait}s; see $dockerd_log"
    sleep 0.2
  done
  say "daemon: answering"
}

# With the buildx plugin, any docker client (the 28.x one first on PATH included) builds
# with BuildKit, so RUN --mount=type=cache works for `docker build`, Compose v2, and
# Compose v1 with COMPOSE_DOCKER_CLI_BUILD=1 DOCKER_BUILDKIT=1.
check_buildkit() {
  docker buildx version >/dev/null 2>&1 || die "'$(command -v docker)' has no buildx plugin"
  docker compose version >/dev/null 2>&1 || die "'$(command -v docker)' has no compose plugin"
}

# Every dev stack's file watcher (dotnet watch, vite, uvicorn --reload) holds inotify instances of the host's
# root; the kernel's default of 128 ran out at the fourth stack. Raised, never lowered. Inside a container
# /proc/sys is read-only: then the kit's watchers fall back to polling, so a failure here only warns.
raise_inotify_limits() {
  local file=/proc/sys/fs/inotify/max_user_instances current
  current=$(cat "$file" 2>/dev/null) || { say "inotify: no $file here; skipped"; return; }
  if ((current >= inotify_instances)); then
    say "inotify: max_user_instances=$current already"
    return
  fi
  if sysctl -w "fs.inotify.max_user_instances=$inotify_instances" >/dev/null 2>&1; then
    say "inotify: max_user_instances raised from $current to $inotify_instances"
  else
    say "inotify: could not raise max_user_instances=$current (read-only /proc/sys, e.g. in a container); dev stacks poll instead"
  fi
}

install_debian_packages
install_cli_plugins
raise_inotify_limits
start_daemon
check_buildkit
say "ready in $((SECONDS - started_at))s: $(command -v docker) $(docker version -f '{{.Client.Version}}' 2>/dev/null)" \
  "/ engine $(docker version -f '{{.Server.Version}}' 2>/dev/null)" \
  "/ $(docker compose version --short 2>/dev/null | sed 's/^/compose /')" \
  "/ $(docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /')" \
  "/ $(docker buildx version 2>/dev/null | awk '{print "buildx " $2}')"
