#!/usr/bin/env bash
# Builds local stand-ins for the public base images, for machines that reach no container
# registry: a debootstrapped Debian, PostgreSQL 15, Redis 7, nginx, the .NET 10 SDK and the
# ASP.NET Core 10 runtime (the last two are copies of this host's .NET install), Python 3.11 with
# Debian's FastAPI stack, and, from Debian trixie, PostgreSQL 17 with pgvector (bookworm has no
# pgvector package), Node.js 20 with npm (bookworm's is 18, too old for current Vite), Go 1.24
# with entr and delve (bookworm has Go 1.19) and Python 3.13 with Debian's Django 4.2 and Celery
# stack (bookworm's Django 3.2 has no psycopg 3 backend).
# Then writes an env overlay that points compose and the Dockerfiles at them.
#
#   docker/offline/build.sh [--env-file PATH] [--mirror URL] [--for VARIABLE,...]
#
#   --env-file PATH  overlay to write (default: .env.offline at the repository root)
#   --mirror URL     Debian mirror for debootstrap and apt (default http://deb.debian.org/debian)
#   --for VARIABLES  only the stand-ins these image variables name (POSTGRES_IMAGE, GO_IMAGE, ...; others are
#                    ignored), and an overlay of those alone: what one app needs (the OfflineImages task passes the
#                    app's). Default: all of them.
#
# Environment: KIT_OFFLINE_CACHE (default .build/offline at the repository root) keeps the
# rootfs tarball; KIT_OFFLINE_NAMESPACE (default kit-offline) is the image namespace.
# Up-to-date images are skipped by a fingerprint label, so a warm run takes about a second.
# The images embed this host's .NET SDK and CA certificates: never push them anywhere.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
env_file="$repo_root/.env.offline"
mirror="http://deb.debian.org/debian"
suite=bookworm
# pgvector is packaged from trixie on (postgresql-17-pgvector), and trixie's nodejs is the first that
# current Vite accepts, as its golang-go (1.24, with delve and entr) is for Go: their stand-ins share a
# trixie base of their own.
pgvector_suite=trixie
namespace="${KIT_OFFLINE_NAMESPACE:-kit-offline}"
cache_dir="${KIT_OFFLINE_CACHE:-$repo_root/.build/offline}"
fingerprint_label="com.example.kit.offline.fingerprint"
started_at=$SECONDS

say() { printf 'offline-images: %s\n' "$*"; }
die() { printf 'offline-images: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '9,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
for_variables=

while (($#)); do
  case "$1" in
    --env-file) [[ $# -ge 2 ]] || die "--env-file needs a path"; env_file="$2"; shift 2 ;;
    --env-file=*) env_file="${1#*=}"; shift ;;
    --mirror) [[ $# -ge 2 ]] || die "--mirror needs a URL"; mirror="$2"; shift 2 ;;
    --mirror=*) mirror="${1#*=}"; shift ;;
    --for) [[ $# -ge 2 ]] || die "--for needs a list of image variables"; for_variables="$2"; shift 2 ;;
    --for=*) for_variables="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

debian_image="$namespace/debian:$suite"
work=$(mktemp -d "${TMPDIR:-/tmp}/kit-offline.XXXXXX")
trap 'rm -rf "$work"' EXIT

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

image_label() {
  docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

# --- Debian base ------------------------------------------------------------------------
# build_debian SUITE: the minbase rootfs of SUITE as $namespace/debian:SUITE.
build_debian() {
  local suite="$1" image="$namespace/debian:$1"
  if image_exists "$image"; then
    say "$image: present"
    return
  fi
  local tarball="$cache_dir/debian-$suite-minbase.tar"
  if [[ ! -s $tarball ]]; then
    command -v debootstrap >/dev/null || die "debootstrap missing (scripts/ci/install-docker.sh installs it)"
    local rootfs="$work/rootfs-$suite"
    say "$image: debootstrap $suite minbase from $mirror"
    debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap-$suite.log" 2>&1 \
      || { tail -20 "$work/debootstrap-$suite.log" >&2; die "debootstrap $suite failed"; }
    # The official images' apt settings: no cached .debs or lists left in layers.
    cp "$script_dir/debian/apt.conf.d/"* "$rootfs/etc/apt/apt.conf.d/"
    # Also theirs: dpkg does not fsync every file it unpacks (an image layer is written once; a build that dies
    # midway leaves no image). The golang stand-in: 46 s -> 39 s, 48 -> 44 s of CPU.
    echo 'force-unsafe-io' >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
    mkdir -p "$cache_dir"
    tar -C "$rootfs" --numeric-owner -cf "$tarball.partial" .
    mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs"
  fi
  say "$image: importing $tarball"
  docker import --change 'CMD ["bash"]' --change 'ENV LANG=C.UTF-8' "$tarball" "$image" >/dev/null
}

# --- build contexts ---------------------------------------------------------------------
# Trust the host's extra CA certificates (e.g. a TLS-intercepting proxy's) in images that
# make HTTPS calls; an empty folder when the host has none.
add_host_ca_certificates() {
  local context="$1" certificate
  mkdir -p "$context/ca-certificates"
  for certificate in /usr/local/share/ca-certificates/*.crt; do
    [[ -e $certificate ]] && cp "$certificate" "$context/ca-certificates/"
  done
  return 0
}

# Hard links make copying the host's .NET install into the context instant; a copy
# across file systems falls back to a real copy.
link_tree() {
  local source="$1" target="$2"
  mkdir -p "$(dirname "$target")"
  cp -al "$source" "$target" 2>/dev/null || { rm -rf "$target"; cp -a "$source" "$target"; }
}

host_dotnet_root() {
  local dotnet
  dotnet=$(command -v dotnet) || die "dotnet not found on PATH (the .NET stand-ins copy the host's install)"
  dirname "$(readlink -f "$dotnet")"
}

prepare_context() {
  local name="$1"
  local context="$work/$name"
  mkdir -p "$context"
  cp -a "$script_dir/$name/." "$context/"
  case "$name" in
    dotnet-sdk)
      add_host_ca_certificates "$context"
      link_tree "$(host_dotnet_root)" "$context/dotnet"
      ;;
    python | python-django | node | golang)
      add_host_ca_certificates "$context"
      ;;
    pgvector)
      # The same entrypoint as the postgres stand-in: one copy of the official image's contract.
      cp "$script_dir/postgres/docker-entrypoint.sh" "$context/"
      ;;
    aspnet)
      add_host_ca_certificates "$context"
      local root part
      root=$(host_dotnet_root)
      # The runtime image needs the host, hostfxr and the two shared frameworks, not the SDK.
      for part in dotnet LICENSE.txt ThirdPartyNotices.txt host shared/Microsoft.NETCore.App shared/Microsoft.AspNetCore.App; do
        [[ -e $root/$part ]] && link_tree "$root/$part" "$context/dotnet/$part"
      done
      ;;
  esac
  printf '%s\n' "$context"
}

# Cheap fingerprint of everything an image is made from: the base image's id and the
# context's paths, sizes and modification times (contents for small files).
context_fingerprint() {
  local context="$1" base="$2"
  {
    docker image inspect -f '{{.Id}}' "$base"
    (cd "$context" && find . -type f -size -64k -print0 | sort -z | xargs -0r sha256sum)
    (cd "$context" && find . -type f -size +63k -printf '%p %s %T@\n' | sort)
  } | sha256sum | cut -c1-32
}

# build_standin NAME TAG [BASE]: docker/offline/NAME as TAG, FROM BASE (default: the bookworm image).
build_standin() {
  local name="$1" tag="$2" base="${3:-$debian_image}" context fingerprint
  context=$(prepare_context "$name")
  fingerprint=$(context_fingerprint "$context" "$base")
  if [[ $(image_label "$tag" "$fingerprint_label") == "$fingerprint" ]]; then
    say "$tag: up to date"
    return
  fi
  say "$tag: building"
  local begun=$SECONDS
  DOCKER_BUILDKIT=1 docker build --quiet \
    --build-arg "DEBIAN_IMAGE=$base" \
    --label "$fingerprint_label=$fingerprint" \
    --tag "$tag" "$context" >"$work/$name.build.log" 2>&1 \
    || { tail -40 "$work/$name.build.log" >&2; die "building $tag failed"; }
  say "$tag: built in $((SECONDS - begun))s"
}

# The stand-ins, bookworm's first (the .NET app's, the first an E2E suite waits for), then trixie's:
# VARIABLE NAME TAG SUITE, one per line.
standins="POSTGRES_IMAGE postgres $namespace/postgres:15 $suite
REDIS_IMAGE redis $namespace/redis:7 $suite
NGINX_IMAGE nginx $namespace/nginx:1 $suite
SDK_IMAGE dotnet-sdk $namespace/dotnet-sdk:10.0 $suite
RUNTIME_IMAGE aspnet $namespace/aspnet:10.0 $suite
PYTHON_IMAGE python $namespace/python:3.11 $suite
PGVECTOR_IMAGE pgvector $namespace/pgvector:pg17 $pgvector_suite
NODE_IMAGE node $namespace/node:20 $pgvector_suite
GO_IMAGE golang $namespace/golang:1.24 $pgvector_suite
PYTHON_DJANGO_IMAGE python-django $namespace/python-django:3.13 $pgvector_suite"

wanted() { [[ -z $for_variables ]] || [[ ",$for_variables," == *",$1,"* ]]; }

# One build of each image per engine at a time: a second run (.ci/run's background build and an E2E suite's own
# OfflineImages, or two checkouts on one machine) waits for the image being built, then finds it up to date instead
# of building it twice side by side; an image nobody else is building is not waited for.
lock_prefix=
if command -v flock >/dev/null; then
  lock_prefix="/tmp/kit-offline-$(printf '%s %s' "${DOCKER_HOST:-default}" "$namespace" | sha256sum | cut -c1-16)"
fi
# locked NAME COMMAND...: COMMAND under the engine-wide lock of NAME.
locked() {
  local name="$1" fd
  shift
  if [[ -z $lock_prefix ]]; then
    "$@"
    return
  fi
  exec {fd}>>"$lock_prefix-$name.lock"
  if ! flock --nonblock "$fd"; then
    say "$name: another build on this engine is making it: waiting"
    flock "$fd"
  fi
  "$@"
  exec {fd}>&-
}

write_env_overlay() {
  mkdir -p "$(dirname "$env_file")"
  {
    echo "# Written by docker/offline/build.sh: points compose and the Dockerfiles at local stand-ins"
    echo "# for the public images. Machine-specific; do not commit."
    local variable name tag base_suite
    while read -r variable name tag base_suite; do
      if wanted "$variable"; then echo "$variable=$tag"; fi
    done <<<"$standins"
  } >"$env_file"
  say "wrote $env_file"
}

docker info >/dev/null 2>&1 || die "no Docker daemon answers (run scripts/ci/install-docker.sh)"
debians_built=" "
# fd 3: the builds' own commands never read the list from stdin.
while read -r -u 3 variable name tag base_suite; do
  wanted "$variable" || continue
  if [[ $debians_built != *" $base_suite "* ]]; then
    locked "debian-$base_suite" build_debian "$base_suite"
    debians_built+="$base_suite "
  fi
  locked "$name" build_standin "$name" "$tag" "$namespace/debian:$base_suite"
done 3<<<"$standins"
write_env_overlay
say "done in $((SECONDS - started_at))s"
