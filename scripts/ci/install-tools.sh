#!/usr/bin/env bash
# CI prerequisites of the Test target beyond .NET: shellcheck (every shell script is checked), git (image tags),
# python3 (the recording gcloud stand-in of the deploy tests), node and npm (the workflow validators,
# install-workflow-validators.sh). Idempotent.
set -euo pipefail

missing=()
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-tools: shellcheck, git, python3, node and npm present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-tools: missing ${missing[*]}; run as root or install them: apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "install-tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
