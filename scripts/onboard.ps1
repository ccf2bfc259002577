#!/usr/bin/env pwsh
# A new developer's one command on Windows or macOS (PowerShell): from a clean clone to a running, healthy dev stack.
# The same steps as scripts/onboard.sh; each is skipped when already done, so a second run changes nothing.
#
#   scripts/onboard.ps1 [-Yes]
#
#   -Yes   install Docker Desktop without asking (Windows, with winget)
[CmdletBinding()]
param([switch]$Yes)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
Set-Location $root
$build = Join-Path $root 'build.ps1'
$started = Get-Date

function Say([string]$text) { Write-Host "`nonboard: $text" }

function Invoke-Kit([string]$target) {
    & $build "--target=$target"
    return $LASTEXITCODE
}

function Confirm-Step([string]$question) {
    if ($Yes) { return $true }
    if (-not [Environment]::UserInteractive -or [Console]::IsInputRedirected) { return $false }
    return (Read-Host "onboard: $question [y/N]") -match '^[yY]'
}

Say '1/5 checking this machine (Doctor)'
$doctorOk = (Invoke-Kit 'Doctor') -eq 0

Say '2/5 Docker engine, Compose, buildx'
if (-not (Get-Command docker -ErrorAction SilentlyContinue)) {
    if ($IsWindows -and (Get-Command winget -ErrorAction SilentlyContinue) -and (Confirm-Step 'install Docker Desktop with winget?')) {
        winget install --exact --id Docker.DockerDesktop --accept-package-agreements --accept-source-agreements
        if ($LASTEXITCODE -ne 0) { throw 'winget could not install Docker Desktop.' }
        throw 'Docker Desktop is installed: start it once (it finishes its setup), then run this again.'
    }
    throw 'Docker is missing: install Docker Desktop (https://docs.docker.com/desktop/), start it, then run this again.'
}

Say '3/5 .env'
if ((Invoke-Kit 'CreateEnv') -ne 0) { throw 'CreateEnv failed (above).' }

if (-not $doctorOk) {
    Say 'checking again after the fixes above'
    if ((Invoke-Kit 'Doctor') -ne 0) { throw 'Doctor still finds what blocks DevUp (above, each with its fix). Fix it and run this again.' }
}

Say '4/5 base images'
$registry = $false
try {
    Invoke-WebRequest -Uri 'https://registry-1.docker.io/v2/' -TimeoutSec 5 -UseBasicParsing | Out-Null
    $registry = $true
}
catch {
    # 401 (authentication required) still means the registry answers.
    $response = $_.Exception.PSObject.Properties['Response']
    $registry = $null -ne $response -and $null -ne $response.Value -and [int]$response.Value.StatusCode -eq 401
}
if ($registry) {
    Write-Host 'onboard: a container registry answers: the public base images are pulled as needed'
}
else {
    Write-Host 'onboard: no container registry answers: building the offline stand-ins'
    if ((Invoke-Kit 'OfflineImages') -ne 0) { throw 'OfflineImages failed (above).' }
}

Say '5/5 the dev stack (DevUp)'
if ((Invoke-Kit 'DevUp') -ne 0) { throw 'DevUp failed (above).' }

$seconds = [int]((Get-Date) - $started).TotalSeconds
Say "ready in $seconds s. The URLs are in the table above. Commands to know:
  ./build.ps1 --target=Status      the stack's services, health and URLs
  ./build.ps1 --target=Logs        logs of every service (--service=api --follow)
  ./build.ps1 --target=Shell       a shell in the api container
  ./build.ps1 --target=DevDown     stop the stack (data volumes stay)
  ./build.ps1 --target=Test        every test suite
  ./build.ps1 --target=Doctor      what is wrong with this machine, with fixes
  ./build.ps1 --target=Prune       what of this project Docker could free (--yes to remove)
  ./build.ps1                      every task"
