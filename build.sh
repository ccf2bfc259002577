#!/usr/bin/env bash
# Bootstrapper: find a .NET SDK that satisfies global.json, rebuild the build program only when its inputs
# changed (a content stamp), then run it with every argument and hand back its exit code. No build logic here.
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
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { if [ -n "${KIT_BOOTSTRAP_VERBOSE:-}" ]; then echo "build.sh: $*" >&2; fi; }

# The content of every input of the build program, file names included, so an edit, an added or a removed file
# all change it. Output folders are not inputs.
inputs_hash() {
  (
    cd "$root"
    find build -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.json' \) \
      -not -path 'build/bin/*' -not -path 'build/obj/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    sha256sum build.sh
    sha256sum global.json Directory.Build.props
  ) | sha256sum | cut -d' ' -f1
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

if [ -x "$root/.dotnet/dotnet" ]; then
  export DOTNET_ROOT="$root/.dotnet" PATH="$root/.dotnet:$PATH"
fi

# The runtime identifier of this machine, for ReadyToRun code.
runtime_id() {
  local os arch
  case "$(uname -s)" in Darwin) os=osx ;; *) os=linux ;; esac
  case "$(uname -m)" in aarch64 | arm64) arch=arm64 ;; *) arch=x64 ;; esac
  echo "$os-$arch"
}

current="$(inputs_hash)"
if [ ! -x "$program" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$current" ]; then
  mkdir -p "$state"
  dotnet="$(find_dotnet)"
  say "inputs changed: rebuilding with $dotnet"
  log="$state/bootstrap-build.log"
  # ReadyToRun needs the runtime pack from NuGet; where it cannot be had, plain IL still runs, only slower to start.
  if ! "$dotnet" publish "$root/build/Build.csproj" --configuration Release --runtime "$(runtime_id)" --self-contained false \
      -p:PublishReadyToRun=true --output "$state/bin" --nologo --verbosity quiet >"$log" 2>&1 \
    && ! "$dotnet" publish "$root/build/Build.csproj" --configuration Release --output "$state/bin" --nologo --verbosity quiet >>"$log" 2>&1; then
    cat "$log" >&2
    echo "build.sh: the build program did not compile (log: $log)" >&2
    exit 1
  fi
  echo "$current" >"$stamp"
else
  say "build program up to date"
fi

exec "$program" "$@"
