#!/usr/bin/env pwsh
#Requires -Version 7.2
# Bootstrapper for Windows (and PowerShell anywhere): find a .NET SDK that satisfies global.json, rebuild the build
# program only when its inputs changed (a content stamp), then run it with every argument and hand back its exit code.
# No build logic here. build.sh is its twin: both compute the same stamp, so alternating them rebuilds nothing.
# PowerShell 7.2 or later (pwsh): Windows PowerShell 5.1 turns a native command's stderr into errors.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
# A profile may make a native command's non-zero exit an exception; here exit codes are handed back, not thrown.
$PSNativeCommandUseErrorActionPreference = $false

# The checkout this script lives in, also when it is run through a symlink (a kit.ps1 on the PATH): $PSScriptRoot is
# the link's folder, so follow each link to the real file first. Target is a relative or absolute path.
$script = $PSCommandPath
for ($item = Get-Item -LiteralPath $script -Force; $item.LinkType -eq 'SymbolicLink'; $item = Get-Item -LiteralPath $script -Force) {
    $target = @($item.Target)[0]
    $script = if ([System.IO.Path]::IsPathRooted($target)) { $target } else { Join-Path (Split-Path -Parent $script) $target }
}
$root = Split-Path -Parent ([System.IO.Path]::GetFullPath($script))
$state = Join-Path $root '.build'
$stamp = Join-Path $state 'bootstrap.stamp'
$isWindowsHost = [System.Runtime.InteropServices.RuntimeInformation]::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::Windows)
$program = Join-Path $state (Join-Path 'bin' ($(if ($isWindowsHost) { 'Build.exe' } else { 'Build' })))
$localDotnetDir = Join-Path $root '.dotnet'
$localDotnet = Join-Path $localDotnetDir ($(if ($isWindowsHost) { 'dotnet.exe' } else { 'dotnet' }))
$env:KIT_ROOT = $root
# The program names the bootstrapper that started it in its help and messages.
$env:KIT_BOOTSTRAPPER = 'build.ps1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'
# The runtime's W^X mapping of generated code costs a short-lived program about a sixth of its CPU time (measured on
# DevUp's fast path); a local build tool gains little from that hardening. A value the caller set is kept and reaches
# every tool the kit starts; the one set here is the program's own: KIT_RUNTIME_DEFAULTS names it, and the program
# takes it out of its environment, so the processes it starts (dotnet test, the app's tools) keep W^X.
if (-not $env:DOTNET_EnableWriteXorExecute) {
    $env:DOTNET_EnableWriteXorExecute = '0'
    $env:KIT_RUNTIME_DEFAULTS = 'DOTNET_EnableWriteXorExecute'
}
else {
    Remove-Item Env:KIT_RUNTIME_DEFAULTS -ErrorAction Ignore
}

function Write-Say([string]$text) {
    if ($env:KIT_BOOTSTRAP_VERBOSE) { [Console]::Error.WriteLine("build.ps1: $text") }
}

function Get-Sha256Hex([byte[]]$bytes) {
    return [System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($bytes)).ToLowerInvariant()
}

function Get-InputsHash {
    # The canonical inputs hash, computed identically by build.sh (see there): build/**/*.cs, *.csproj, *.props,
    # *.targets, *.json not under build/bin or build/obj, plus build.sh, build.ps1, global.json and
    # Directory.Build.props (those present), in ordinal order of the path relative to the root (with /); one
    # '<sha256 hex>  <path>' line each, newline-terminated; the stamp is the SHA-256 of those lines, lower-case hex.
    $buildDir = Join-Path $root 'build'
    $extensions = '.cs', '.csproj', '.props', '.targets', '.json'
    $relative = [System.Collections.Generic.List[string]]::new()
    foreach ($file in Get-ChildItem -LiteralPath $buildDir -Recurse -File -Force) {
        if ($file.LinkType -or $extensions -cnotcontains $file.Extension) { continue }
        $path = 'build/' + [System.IO.Path]::GetRelativePath($buildDir, $file.FullName).Replace('\', '/')
        if ($path.StartsWith('build/bin/', [StringComparison]::Ordinal) -or $path.StartsWith('build/obj/', [StringComparison]::Ordinal)) { continue }
        $relative.Add($path)
    }
    foreach ($name in 'build.sh', 'build.ps1', 'global.json', 'Directory.Build.props') {
        if (Test-Path -LiteralPath (Join-Path $root $name) -PathType Leaf) { $relative.Add($name) }
    }
    $relative.Sort([System.StringComparer]::Ordinal)
    $lines = [System.Text.StringBuilder]::new()
    foreach ($path in $relative) {
        $hash = Get-Sha256Hex ([System.IO.File]::ReadAllBytes((Join-Path $root $path)))
        [void]$lines.Append("$hash  $path`n")
    }
    return Get-Sha256Hex ([System.Text.UTF8Encoding]::new($false).GetBytes($lines.ToString()))
}

# The SDK and runtime installed into .dotnet/ (earlier or just now): the build and the program itself (a
# framework-dependent apphost) must find that runtime, not a system one that may be missing or older.
function Use-LocalDotnet {
    if (Test-Path -LiteralPath $localDotnet -PathType Leaf) {
        $env:DOTNET_ROOT = $localDotnetDir
        $env:PATH = "$localDotnetDir$([System.IO.Path]::PathSeparator)$env:PATH"
    }
}

function Find-Dotnet {
    if (Test-Path -LiteralPath $localDotnet -PathType Leaf) { return $localDotnet }
    $system = Get-Command dotnet -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($system) {
        Push-Location -LiteralPath $root
        try {
            # The muxer checks global.json itself when asked for its version.
            & $system.Source --version *> $null
            if ($LASTEXITCODE -eq 0) { return $system.Source }
        }
        finally { Pop-Location }
    }
    $version = (Get-Content -LiteralPath (Join-Path $root 'global.json') -Raw | ConvertFrom-Json).sdk.version
    [Console]::Error.WriteLine("build.ps1: installing .NET SDK $version into .dotnet/ (the system's dotnet does not satisfy global.json)")
    [void][System.IO.Directory]::CreateDirectory($localDotnetDir)
    # dotnet-install.ps1 installs Windows builds only; macOS and Linux take dotnet-install.sh.
    $installer = Join-Path $localDotnetDir ($(if ($isWindowsHost) { 'dotnet-install.ps1' } else { 'dotnet-install.sh' }))
    $client = [System.Net.Http.HttpClient]::new()
    try { [System.IO.File]::WriteAllText($installer, $client.GetStringAsync('https://dot.net/v1/' + (Split-Path -Leaf $installer)).GetAwaiter().GetResult()) }
    finally { $client.Dispose() }
    # Its progress goes to the console, not into this function's result.
    if ($isWindowsHost) { & $installer -Version $version -InstallDir $localDotnetDir | Out-Host }
    else { & bash $installer --version $version --install-dir $localDotnetDir | Out-Host }
    if (-not (Test-Path -LiteralPath $localDotnet -PathType Leaf)) { return $null }
    return $localDotnet
}

function Write-Log([string]$path, [object[]]$lines, [switch]$Append) {
    $text = (@($lines | ForEach-Object { "$_" }) -join [Environment]::NewLine) + [Environment]::NewLine
    if ($Append) { [System.IO.File]::AppendAllText($path, $text) } else { [System.IO.File]::WriteAllText($path, $text) }
}

Use-LocalDotnet

$current = Get-InputsHash
# An empty or unreadable stamp is simply stale.
$previous = if (Test-Path -LiteralPath $stamp -PathType Leaf) { "$([System.IO.File]::ReadAllText($stamp))".Trim() } else { '' }
if (-not (Test-Path -LiteralPath $program -PathType Leaf) -or $previous -ne $current) {
    [void][System.IO.Directory]::CreateDirectory($state)
    $dotnet = Find-Dotnet
    if (-not $dotnet) {
        [Console]::Error.WriteLine('build.ps1: the .NET SDK could not be installed into .dotnet/ (above); install the one global.json names: https://dotnet.microsoft.com/download/dotnet')
        exit 1
    }
    Use-LocalDotnet
    Write-Say "inputs changed: rebuilding with $dotnet"
    $log = Join-Path $state 'bootstrap-build.log'
    $arch = if ([System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'Arm64') { 'arm64' } else { 'x64' }
    $os = if ($isWindowsHost) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $project = Join-Path $root (Join-Path 'build' 'Build.csproj')
    $output = Join-Path $state 'bin'
    # ReadyToRun needs the runtime pack from NuGet; where it cannot be had, plain IL still runs, only slower to start.
    # The inputs hash as the source revision (as build.sh passes it): a content change always recompiles, also when a
    # file's modification time was set back and MSBuild's timestamp check alone would skip the compiler.
    Write-Log $log (& $dotnet publish $project --configuration Release --runtime "$os-$arch" --self-contained false -p:PublishReadyToRun=true "-p:SourceRevisionId=$current" --output $output --nologo --verbosity quiet 2>&1)
    # A compiler error fails both ways alike: said at once, not after a second compile.
    if ($LASTEXITCODE -ne 0 -and -not (Select-String -Path $log -Pattern ': error CS[0-9]' -Quiet)) {
        Write-Log $log (& $dotnet publish $project --configuration Release "-p:SourceRevisionId=$current" --output $output --nologo --verbosity quiet 2>&1) -Append
    }
    if ($LASTEXITCODE -ne 0) {
        [Console]::Error.Write([System.IO.File]::ReadAllText($log))
        [Console]::Error.WriteLine("build.ps1: the build program did not compile (log: $log)")
        exit 1
    }
    [System.IO.File]::WriteAllText($stamp, "$current`n")
}
else {
    Write-Say 'build program up to date'
}

& $program @args
exit $LASTEXITCODE
