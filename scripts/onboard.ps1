#!/usr/bin/env pwsh

<#
.SYNOPSIS
A new developer's one command in PowerShell: from a clean clone to a running, healthy dev stack.

.DESCRIPTION
scripts/onboard.ps1 [-Yes] [-Help]

The same steps as scripts/onboard.sh, each skipped when already done (a second run changes nothing):
  1. Doctor: what this machine lacks (./build.ps1 --target=Doctor)
  2. Docker: on Windows, offers to install Docker Desktop with winget; elsewhere says what to install
  3. .env from .env.example with generated development passwords (never overwrites one)
  4. without a reachable container registry: the offline stand-in base images (built on Linux only; on
     Windows run scripts/onboard.sh inside WSL instead)
  5. DevUp: images, compose up, wait until healthy; then the URLs and the commands to know
It stops at the first step that fails, with the fix, and exit code 1. Needs PowerShell 7.2 or later (pwsh).
KIT_PROJECT_NAME and KIT_PORT_OFFSET select the stack, as for ./build.ps1.

.PARAMETER Yes
Install what is missing without asking (Docker Desktop with winget), for scripted setups. Also --yes or -y.

.PARAMETER Help
This text. Also --help, -h or -?.

.EXAMPLE
pwsh scripts/onboard.ps1
#>
param([switch]$Yes, [switch]$Help)

# Not [CmdletBinding()]: the spellings of onboard.sh (--yes, --help) reach $args and are accepted; anything else is
# refused with one line. Written for Windows PowerShell 5.1 too, so that it can say what to install.

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
# A profile may make a native command's non-zero exit an exception; here each step's exit code is checked.
$PSNativeCommandUseErrorActionPreference = $false

function Write-Usage {
    # The description above, as onboard.sh prints its own header.
    (Get-Help -Name $PSCommandPath -Full).description | ForEach-Object { $_.Text } | Write-Host
}

function Stop-Onboarding([string]$text) {
    [Console]::Error.WriteLine("onboard: error: $text")
    exit 1
}

foreach ($argument in $args) {
    switch -CaseSensitive ("$argument") {
        { $_ -in '--yes', '-y' } { $Yes = $true; continue }
        { $_ -in '--help', '-h', '-?', '/?' } { $Help = $true; continue }
        default {
            [Console]::Error.WriteLine("onboard: unknown argument '$argument': the options are -Yes and -Help (scripts/onboard.ps1 -Help).")
            exit 2
        }
    }
}
if ($Help) {
    Write-Usage
    exit 0
}

$version = $PSVersionTable.PSVersion
if ($version.Major -lt 7 -or ($version.Major -eq 7 -and $version.Minor -lt 2)) {
    Stop-Onboarding "this is PowerShell $version; build.ps1 needs PowerShell 7.2 or later. Install it (winget install --exact --id Microsoft.PowerShell, or https://aka.ms/powershell), then run: pwsh scripts/onboard.ps1"
}

$root = Split-Path -Parent $PSScriptRoot
$build = Join-Path $root 'build.ps1'
# Not $IsWindows: Windows PowerShell 5.1 does not define it.
$onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
$onLinux = -not $onWindows -and [System.Runtime.InteropServices.RuntimeInformation]::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::Linux)
$started = Get-Date

function Write-Step([string]$text) { Write-Host "`nonboard: $text" }

# Runs a task through build.ps1; its output goes straight to the console, and $LASTEXITCODE holds its exit code.
# Nothing is returned: a function's result would carry the program's output along with the code.
function Invoke-Kit([string]$target) {
    & $build "--target=$target"
}

function Confirm-Step([string]$question) {
    if ($Yes) { return $true }
    if (-not [Environment]::UserInteractive -or [Console]::IsInputRedirected) { return $false }
    return (Read-Host "onboard: $question [y/N]") -match '^[yY]'
}

# A registry answers /v2/ with 200 or 401 (authentication required): either means images can be pulled.
function Test-Registry {
    $client = [System.Net.Http.HttpClient]::new()
    $client.Timeout = [TimeSpan]::FromSeconds(5)
    try {
        $code = [int]$client.GetAsync('https://registry-1.docker.io/v2/').GetAwaiter().GetResult().StatusCode
        return $code -eq 200 -or $code -eq 401
    }
    catch { return $false }
    finally { $client.Dispose() }
}

# The caller's session keeps its own location, whatever happens here.
Push-Location -LiteralPath $root
try {
    Write-Step '1/5 checking this machine (Doctor)'
    Invoke-Kit 'Doctor'
    $doctorOk = $LASTEXITCODE -eq 0

    Write-Step '2/5 Docker engine, Compose, buildx'
    if (Get-Command docker -CommandType Application -ErrorAction SilentlyContinue) {
        Write-Host 'onboard: the docker CLI is installed (Doctor above says whether its engine answers)'
    }
    elseif ($onWindows -and (Get-Command winget -ErrorAction SilentlyContinue) -and (Confirm-Step 'install Docker Desktop with winget?')) {
        winget install --exact --id Docker.DockerDesktop --accept-package-agreements --accept-source-agreements
        if ($LASTEXITCODE -ne 0) { Stop-Onboarding 'winget could not install Docker Desktop: install it from https://docs.docker.com/desktop/, start it, then run this again.' }
        Stop-Onboarding 'Docker Desktop is installed: start it once (it finishes its setup), then run this again.'
    }
    elseif ($onLinux) {
        Write-Host 'onboard: Docker is missing: scripts/onboard.sh --yes installs it on Debian and Ubuntu (https://docs.docker.com/engine/install/ elsewhere)'
    }
    else {
        Write-Host 'onboard: Docker is missing: install Docker Desktop (https://docs.docker.com/desktop/) and start it'
    }

    Write-Step '3/5 .env'
    Invoke-Kit 'CreateEnv'
    if ($LASTEXITCODE -ne 0) { Stop-Onboarding 'CreateEnv failed (above).' }

    if (-not $doctorOk) {
        Write-Step 'checking again after the fixes above'
        Invoke-Kit 'Doctor'
        if ($LASTEXITCODE -ne 0) { Stop-Onboarding 'Doctor still finds what blocks DevUp (above, each with its fix). Fix it and run this again.' }
    }

    Write-Step '4/5 base images'
    if (Test-Registry) {
        Write-Host 'onboard: a container registry answers: the public base images are pulled as needed'
    }
    elseif (-not $onLinux) {
        # docker/offline/build.sh needs bash, debootstrap and root: Linux, or WSL on Windows.
        Stop-Onboarding ('no container registry answers, and the offline stand-in base images are built on Linux only. ' +
            'On Windows run scripts/onboard.sh inside WSL (https://learn.microsoft.com/windows/wsl/install; Docker Desktop: Settings > Resources > WSL integration), ' +
            'or connect to a network where registry-1.docker.io answers, then run this again.')
    }
    else {
        Write-Host 'onboard: no container registry answers: building the offline stand-ins'
        Invoke-Kit 'OfflineImages'
        if ($LASTEXITCODE -ne 0) { Stop-Onboarding 'OfflineImages failed (above).' }
    }

    Write-Step '5/5 the dev stack (DevUp)'
    Invoke-Kit 'DevUp'
    if ($LASTEXITCODE -ne 0) { Stop-Onboarding 'DevUp failed (above).' }

    $seconds = [int]((Get-Date) - $started).TotalSeconds
    Write-Step "ready in $seconds s. The URLs are in the table above. Commands to know:
  ./build.ps1 --target=Status      the stack's services, health and URLs
  ./build.ps1 --target=Logs        logs of every service (--service=api --follow)
  ./build.ps1 --target=Shell       a shell in the api container
  ./build.ps1 --target=DevDown     stop the stack (data volumes stay)
  ./build.ps1 --target=Test        every test suite
  ./build.ps1 --target=Doctor      what is wrong with this machine, with fixes
  ./build.ps1 --target=Prune       what of this project Docker could free (--yes to remove)
  ./build.ps1                      every task"
}
finally {
    Pop-Location
}
