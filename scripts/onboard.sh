#!/usr/bin/env bash
# A new developer's one command: from a clean clone to a running, healthy dev stack.
#
#   scripts/onboard.sh [--yes]
#
#   --yes   install what is missing without asking (Debian/Ubuntu), for CI and scripted setups
#
# Steps, each skipped when already done (a second run changes nothing and takes seconds):
#   1. Doctor: what this machine lacks (./build.sh --target=Doctor)
#   2. Debian/Ubuntu: offer to install a missing Docker engine, Compose and buildx, and start the engine
#   3. .env from .env.example with generated development passwords (never overwrites one)
#   4. without a reachable container registry: the offline stand-in base images
#   5. DevUp: images, compose up, wait until healthy; then the URLs and the commands to know
# Environment: KIT_PROJECT_NAME and KIT_PORT_OFFSET select the stack, as for ./build.sh.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
assume_yes=false

say() { printf '\nonboard: %s\n' "$*"; }
die() { printf 'onboard: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
  case "$1" in
    --yes | -y) assume_yes=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

# Yes when --yes was given; otherwise ask on the terminal (no terminal: no).
confirm() {
  if [[ $assume_yes == true ]]; then
    return 0
  fi
  if [[ ! -t 0 ]]; then
    return 1
  fi
  local answer
  read -r -p "onboard: $* [y/N] " answer
  [[ $answer == [yY]* ]]
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "'$*' needs root and sudo is not installed"
  fi
}

distribution() {
  # shellcheck disable=SC1091 # the system's file, not ours
  (. /etc/os-release 2>/dev/null && echo "${ID:-unknown}") || echo unknown
}

engine_answers() { docker info >/dev/null 2>&1; }

compose_present() { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; }

# What onboarding can install itself: the engine, Compose and buildx, on Debian or Ubuntu.
install_docker() {
  local missing=()
  command -v docker >/dev/null 2>&1 || missing+=("Docker engine")
  compose_present || missing+=("Compose")
  if command -v docker >/dev/null 2>&1 && ! docker buildx version >/dev/null 2>&1; then
    missing+=("buildx")
  fi
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  local id
  id="$(distribution)"
  case "$id" in
    debian)
      confirm "install ${missing[*]} (docker.io, Compose v2 and buildx plugins; needs root)?" \
        || die "missing: ${missing[*]}. Install it (sudo bash scripts/ci/install-docker.sh), then run this again."
      say "installing ${missing[*]}"
      as_root bash "$root/scripts/ci/install-docker.sh"
      ;;
    ubuntu)
      confirm "install ${missing[*]} (apt-get install docker.io docker-compose-v2 docker-buildx; needs root)?" \
        || die "missing: ${missing[*]}. Install it (sudo apt-get install docker.io docker-compose-v2 docker-buildx), then run this again."
      say "installing ${missing[*]}"
      as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose-v2 docker-buildx
      ;;
    *)
      die "missing: ${missing[*]}. On $id install Docker yourself: https://docs.docker.com/engine/install/ then run this again."
      ;;
  esac
}

start_engine() {
  engine_answers && return 0
  command -v docker >/dev/null 2>&1 || return 0
  confirm "the Docker engine does not answer: start it (needs root)?" || return 0
  if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
    as_root systemctl start docker
  else
    as_root bash "$root/scripts/ci/install-docker.sh"
  fi
}

# A registry answers /v2/ with 200 or 401 (authentication required): either means images can be pulled.
registry_reachable() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 https://registry-1.docker.io/v2/ 2>/dev/null || true)"
  [[ $code == 200 || $code == 401 ]]
}

started_at=$SECONDS

say "1/5 checking this machine (Doctor)"
doctor_ok=true
./build.sh --target=Doctor || doctor_ok=false

say "2/5 Docker engine, Compose, buildx"
install_docker
start_engine

say "3/5 .env"
./build.sh --target=CreateEnv

if [[ $doctor_ok == false ]]; then
  say "checking again after the fixes above"
  ./build.sh --target=Doctor || die "Doctor still finds what blocks DevUp (above, each with its fix). Fix it and run this again."
fi

say "4/5 base images"
if registry_reachable; then
  echo "onboard: a container registry answers: the public base images are pulled as needed"
else
  echo "onboard: no container registry answers: building the offline stand-ins"
  ./build.sh --target=OfflineImages
fi

say "5/5 the dev stack (DevUp)"
./build.sh --target=DevUp

say "ready in $((SECONDS - started_at)) s. The URLs are in the table above. Commands to know:
  ./build.sh --target=Status      the stack's services, health and URLs
  ./build.sh --target=Logs        logs of every service (--service=api --follow)
  ./build.sh --target=Shell       a shell in the api container
  ./build.sh --target=DevDown     stop the stack (data volumes stay)
  ./build.sh --target=Test        every test suite
  ./build.sh --target=Doctor      what is wrong with this machine, with fixes
  ./build.sh --target=Prune       what of this project Docker could free (--yes to remove)
  ./build.sh                      every task"
