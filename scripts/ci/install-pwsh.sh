#!/usr/bin/env bash
# CI prerequisite of the build.ps1 tests: PowerShell 7 as a .NET global tool (from NuGet; no Microsoft apt repository
# needed), so the Windows entry point is run for real on Linux. Idempotent: when pwsh answers it only reports where.
#
#   bash scripts/ci/install-pwsh.sh
#
# .ci/run puts ~/.dotnet/tools on PATH for the tests.
set -euo pipefail

version="${PWSH_VERSION:-7.6.9}"
tools="$HOME/.dotnet/tools"
# shellcheck disable=SC2016 # a PowerShell expression, for pwsh to expand
query='$PSVersionTable.PSVersion.ToString()'

if PATH="$tools:$PATH" command -v pwsh >/dev/null 2>&1; then
  echo "install-pwsh: $(PATH="$tools:$PATH" command -v pwsh) ($(PATH="$tools:$PATH" pwsh -NoProfile -NoLogo -Command "$query"))"
  exit 0
fi

echo "install-pwsh: installing PowerShell $version as a .NET global tool"
dotnet tool install --global PowerShell --version "$version" >/dev/null
"$tools/pwsh" -NoProfile -NoLogo -Command "$query" | sed 's/^/install-pwsh: ready, PowerShell /'
