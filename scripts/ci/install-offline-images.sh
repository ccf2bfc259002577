#!/usr/bin/env bash
# Builds the offline stand-ins of the public base images (PostgreSQL, Redis, nginx, .NET SDK, ASP.NET runtime, Python,
# PostgreSQL with pgvector, Go with entr and delve) through the kit's own OfflineImages task, and writes .env.offline
# at the root and in each sample app folder (samples/*/config/project.json), which the kit layers
# over .env for compose and image builds. CI has no container registry: every stack and image build depends on this.
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
# The sample apps layer the same overlay (the same images, whatever the app): copy it rather than run the task again.
for project in "$root"/samples/*/config/project.json; do
  app="$(dirname "$(dirname "$project")")"
  if grep -q '"\.env\.offline"' "$app/config/docker.json" 2>/dev/null; then
    cp "$root/.env.offline" "$app/.env.offline"
    say "wrote ${app#"$root"/}/.env.offline"
  fi
done
say "ready in $((SECONDS - started_at))s"
