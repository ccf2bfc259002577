#!/usr/bin/env bash
# Bootstrapper: find a .NET SDK that satisfies global.json, rebuild the build program only when its inputs
# changed (a content stamp), then run it with every argument and hand back its exit code. No build logic here.
# build.ps1 is its twin: both compute the same stamp, so alternating them rebuilds nothing.
set -euo pipefail

# The checkout this script lives in, also when it is run through a symlink (ln -s .../build.sh ~/bin/kit): follow
# each link to the real file first. A loop, not readlink -f, which macOS's readlink lacks before 12.3.
script="${BASH_SOURCE[0]}"
while [ -L "$script" ]; do
  link_dir="$(cd -P "$(dirname "$script")" && pwd)"
  script="$(readlink "$script")"
  case "$script" in /*) ;; *) script="$link_dir/$script" ;; esac
done
root="$(cd -P "$(dirname "$script")" && pwd)"
program="$root/.build/bin/Build"
state="$root/.build"
stamp="$state/bootstrap.stamp"
export KIT_ROOT="$root"
# The program names the bootstrapper that started it in its help and messages.
export KIT_BOOTSTRAPPER=build.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The runtime's W^X mapping of generated code costs a short-lived program about a sixth of its CPU time (measured on
# DevUp's fast path); a local build tool gains little from that hardening. A value the caller set is kept and reaches
# every tool the kit starts; the one set here is the program's own: KIT_RUNTIME_DEFAULTS names it, and the program
# takes it out of its environment, so the processes it starts (dotnet test, the app's tools) keep W^X.
if [ -z "${DOTNET_EnableWriteXorExecute:-}" ]; then
  export DOTNET_EnableWriteXorExecute=0 KIT_RUNTIME_DEFAULTS=DOTNET_EnableWriteXorExecute
else
  unset KIT_RUNTIME_DEFAULTS
fi

say() { if [ -n "${KIT_BOOTSTRAP_VERBOSE:-}" ]; then echo "build.sh: $*" >&2; fi; }

# SHA-256 in sha256sum's format (lower-case hex, two spaces, the name); macOS has shasum instead.
if command -v sha256sum >/dev/null 2>&1; then sha256=(sha256sum); else sha256=(shasum -a 256); fi

# The canonical inputs hash, computed identically by build.ps1, so both read and write the same stamp: the files
# build/**/*.cs, *.csproj, *.props, *.targets, *.json (not under build/bin or build/obj) and build.sh, build.ps1,
# global.json, Directory.Build.props (those present), in ordinal order of their path relative to the root (with /);
# one '<sha256 hex>  <path>' line each, newline-terminated; the stamp is the SHA-256 of those lines, lower-case hex.
# Names are part of it, so an edit, an added or a removed file all change it.
inputs_hash() {
  (
    cd "$root"
    {
      find build \( -path build/bin -o -path build/obj \) -prune -o -type f \
        \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.json' \) -print0
      for file in build.sh build.ps1 global.json Directory.Build.props; do
        if [ -f "$file" ]; then printf '%s\0' "$file"; fi
      done
    } | LC_ALL=C sort -z | xargs -0 "${sha256[@]}"
  ) | "${sha256[@]}" | cut -d' ' -f1
}

# A dotnet whose SDK satisfies global.json: the one installed into .dotnet/ by an earlier run, or the system's
# (the muxer itself checks global.json when asked for its version), else install the pinned SDK into .dotnet/.
find_dotnet() {
  if [ -x "$root/.dotnet/dotnet" ]; then
    echo "$root/.dotnet/dotnet"
  elif command -v dotnet >/dev/null 2>&1 && (cd "$root" && dotnet --version >/dev/null 2>&1); then
    command -v dotnet
  else
    local version
    version="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$root/global.json" | head -n 1)"
    echo "build.sh: installing .NET SDK $version into .dotnet/ (the system's dotnet does not satisfy global.json)" >&2
    mkdir -p "$root/.dotnet"
    curl -fsSL https://dot.net/v1/dotnet-install.sh -o "$root/.dotnet/dotnet-install.sh"
    bash "$root/.dotnet/dotnet-install.sh" --version "$version" --install-dir "$root/.dotnet" >&2
    echo "$root/.dotnet/dotnet"
  fi
}

# The SDK and runtime installed into .dotnet/ (earlier or just now): the build and the program itself (a
# framework-dependent apphost) must find that runtime, not a system one that may be missing or older.
use_local_dotnet() {
  if [ -x "$root/.dotnet/dotnet" ]; then
    export DOTNET_ROOT="$root/.dotnet" PATH="$root/.dotnet:$PATH"
  fi
}
use_local_dotnet

# The runtime identifier of this machine, for ReadyToRun code.
runtime_id() {
  local os arch
  case "$(uname -s)" in Darwin) os=osx ;; *) os=linux ;; esac
  case "$(uname -m)" in aarch64 | arm64) arch=arm64 ;; *) arch=x64 ;; esac
  echo "$os-$arch"
}

# The fast check: nothing among the inputs (files and folders, so a removed file counts too) has had its status
# changed since the stamp was written. The status change time (ctime) is what cp -p, tar, rsync or touch cannot set
# back, so an older file copied over an input still counts as a change. Only when something changed is the content
# hashed (one pass over every input): an edit that changes nothing, or a git checkout of the same content, ends with
# the stamp's time moved forward, not a rebuild.
inputs_untouched() {
  local paths=() file
  for file in build build.sh build.ps1 global.json Directory.Build.props; do
    if [ -e "$root/$file" ]; then paths+=("$file"); fi
  done
  [ -f "$stamp" ] && [ -z "$(cd "$root" && find "${paths[@]}" \( -path build/bin -o -path build/obj \) -prune -o -cnewer "$stamp" -print 2>/dev/null | head -n 1)" ]
}

if [ -x "$program" ] && inputs_untouched; then
  say "build program up to date"
  exec "$program" "$@"
fi

# The marker's time is taken before the hash: an input written while it is computed is newer than the stamp.
mkdir -p "$state"
marker="$state/bootstrap.marker"
: >"$marker"
current="$(inputs_hash)"
if [ -x "$program" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$current" ]; then
  say "build program up to date (inputs touched, contents unchanged)"
  touch -r "$marker" "$stamp"
else
  dotnet="$(find_dotnet)"
  # find_dotnet ran in a subshell: an SDK it installed is put on PATH here.
  use_local_dotnet
  say "inputs changed: rebuilding with $dotnet"
  log="$state/bootstrap-build.log"
  # ReadyToRun needs the runtime pack from NuGet; where it cannot be had, plain IL still runs, only slower to start.
  # The inputs hash is the program's source revision (its --version shows it): a content change always recompiles,
  # also when a file's modification time was set back and MSBuild's timestamp check alone would skip the compiler.
  # A compiler error fails both ways alike: said at once, not after a second compile.
  if ! "$dotnet" publish "$root/build/Build.csproj" --configuration Release --runtime "$(runtime_id)" --self-contained false \
      -p:PublishReadyToRun=true -p:SourceRevisionId="$current" --output "$state/bin" --nologo --verbosity quiet >"$log" 2>&1 \
    && { grep -q ': error CS[0-9]' "$log" \
      || ! "$dotnet" publish "$root/build/Build.csproj" --configuration Release -p:SourceRevisionId="$current" --output "$state/bin" --nologo --verbosity quiet >>"$log" 2>&1; }; then
    cat "$log" >&2
    echo "build.sh: the build program did not compile (log: $log)" >&2
    exit 1
  fi
  echo "$current" >"$stamp"
  touch -r "$marker" "$stamp"
fi
rm -f "$marker"

exec "$program" "$@"
