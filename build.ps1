#!/usr/bin/env pwsh
# Bootstrapper for Windows (and PowerShell anywhere): find a .NET SDK that satisfies global.json, rebuild the build
# program only when its inputs changed (a content stamp), then run it with every argument and hand back its exit code.
# No build logic here; build.sh is its twin.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

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
$env:KIT_ROOT = $root
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

function Get-InputsHash {
    # The content of every input of the build program, file names included, so an edit, an added or a removed
    # file all change it. Output folders are not inputs.
    $buildDir = Join-Path $root 'build'
    $files = Get-ChildItem -Path $buildDir -Recurse -File -Include '*.cs', '*.csproj', '*.props', '*.targets', '*.json' |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' } |
        Sort-Object { $_.FullName.Substring($root.Length).Replace('\', '/') } -CaseSensitive
    $files = @($files) + @(Get-Item (Join-Path $root 'global.json'), (Join-Path $root 'Directory.Build.props'), (Join-Path $root 'build.ps1'))
    $sha = [System.Security.Cryptography.SHA256]::Create()
    $lines = foreach ($file in $files) {
        $relative = $file.FullName.Substring($root.Length).TrimStart('\', '/').Replace('\', '/')
        $hash = [System.BitConverter]::ToString($sha.ComputeHash([System.IO.File]::ReadAllBytes($file.FullName))).Replace('-', '')
        "$hash  $relative"
    }
    $bytes = [System.Text.Encoding]::UTF8.GetBytes(($lines -join "`n"))
    return [System.BitConverter]::ToString($sha.ComputeHash($bytes)).Replace('-', '')
}

function Find-Dotnet {
    $local = Join-Path $root (Join-Path '.dotnet' ($(if ($isWindowsHost) { 'dotnet.exe' } else { 'dotnet' })))
    if (Test-Path $local) { return $local }
    $system = Get-Command dotnet -ErrorAction SilentlyContinue
    if ($system) {
        Push-Location $root
        try {
            # The muxer checks global.json itself when asked for its version.
            & $system.Source --version *> $null
            if ($LASTEXITCODE -eq 0) { return $system.Source }
        }
        finally { Pop-Location }
    }
    $version = (Get-Content (Join-Path $root 'global.json') -Raw | ConvertFrom-Json).sdk.version
    Write-Host "build.ps1: installing .NET SDK $version into .dotnet/ (the system's dotnet does not satisfy global.json)"
    $installDir = Join-Path $root '.dotnet'
    New-Item -ItemType Directory -Force -Path $installDir | Out-Null
    $installer = Join-Path $installDir 'dotnet-install.ps1'
    Invoke-WebRequest -Uri 'https://dot.net/v1/dotnet-install.ps1' -OutFile $installer
    & $installer -Version $version -InstallDir $installDir
    return $local
}

$localDotnet = Join-Path $root '.dotnet'
if (Test-Path $localDotnet) {
    $env:DOTNET_ROOT = $localDotnet
    $env:PATH = "$localDotnet$([System.IO.Path]::PathSeparator)$env:PATH"
}

$current = Get-InputsHash
$upToDate = (Test-Path $program) -and (Test-Path $stamp) -and ((Get-Content $stamp -Raw).Trim() -eq $current)
if (-not $upToDate) {
    New-Item -ItemType Directory -Force -Path $state | Out-Null
    $dotnet = Find-Dotnet
    $log = Join-Path $state 'bootstrap-build.log'
    $arch = if ([System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'Arm64') { 'arm64' } else { 'x64' }
    $os = if ($isWindowsHost) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $project = Join-Path $root (Join-Path 'build' 'Build.csproj')
    $output = Join-Path $state 'bin'
    # ReadyToRun needs the runtime pack from NuGet; where it cannot be had, plain IL still runs, only slower to start.
    & $dotnet publish $project --configuration Release --runtime "$os-$arch" --self-contained false -p:PublishReadyToRun=true --output $output --nologo --verbosity quiet *> $log
    if ($LASTEXITCODE -ne 0) {
        & $dotnet publish $project --configuration Release --output $output --nologo --verbosity quiet *>> $log
    }
    if ($LASTEXITCODE -ne 0) {
        Get-Content $log | Write-Host
        Write-Error "build.ps1: the build program did not compile (log: $log)"
        exit 1
    }
    Set-Content -Path $stamp -Value $current -NoNewline
}

& $program @args
exit $LASTEXITCODE
