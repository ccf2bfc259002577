#!/usr/bin/env bash
# Builds the offline stand-ins of the public base images (PostgreSQL, Redis, nginx, .NET SDK, ASP.NET runtime, Python,
# PostgreSQL with pgvector, Node.js, Go with entr and delve) through the kit's own OfflineImages task, and writes .env.offline (NODE_IMAGE,
# NGINX_IMAGE, PYTHON_IMAGE, ...), which the kit layers over .env for compose and image builds, for the root app and
# for every app folder under samples/. CI has no container registry: every stack and image build depends on this.
# Each app's run builds the stand-ins its files name (the root app's first: the first E2E suite waits for those), and
# each image is built by one process per engine at a time, so a suite's own OfflineImages waits for its images only.
# Runs after install-docker.sh (.ci/run runs scripts/ci/install-*.sh in alphabetical order). Idempotent: warm, a few seconds.
#
#   bash scripts/ci/install-offline-images.sh
#
# Environment (optional): DEBIAN_MIRROR, the Debian mirror debootstrap and apt use.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
started_at=$SECONDS

say() { printf 'install-offline-images: %s\n' "$*"; }
die() { printf 'install-offline-images: error: %s\n' "$*" >&2; exit 1; }

docker info >/dev/null 2>&1 || die "no Docker daemon answers: run scripts/ci/install-docker.sh first"

"$root/build.sh" --target=OfflineImages
[[ -s "$root/.env.offline" ]] || die "OfflineImages did not write $root/.env.offline"
# Each sample app's stand-ins and overlay, in the order the E2E sample suite runs its classes (DependsOnFixture in
# tests/E2E.Tests/*SampleTests.cs): on a new machine each class then finds its images built or being built, and the
# golang stand-in, the slowest to build, comes last. Any other sample app follows, in name order.
ordered=(web django python go)
apps=()
for name in "${ordered[@]}"; do
  [[ -e $root/samples/$name/config/docker.json ]] && apps+=("samples/$name")
done
for project in "$root"/samples/*/config/docker.json; do
  [[ -e $project ]] || continue
  app="samples/$(basename "$(dirname "$(dirname "$project")")")"
  [[ " ${apps[*]} " == *" $app "* ]] || apps+=("$app")
done
for app in "${apps[@]}"; do
  "$root/build.sh" --target=OfflineImages "--app=$app"
  say "$app: overlay written"
done
say "ready in $((SECONDS - started_at))s"
