using System.Globalization;
using System.Text.RegularExpressions;
using Build.Tools.Compose;

namespace Build.Ops.Doctor;

/// <summary>
/// The judgement of each machine check, from what its probe saw: pure, so every verdict and fix hint is unit tested
/// without the tool installed (or missing).
/// </summary>
public static partial class MachineChecks
{
    public const string Engine = "Docker engine";
    public const string Compose = "Compose";
    public const string Buildx = "buildx";
    public const string Disk = "Disk for images";
    public const string Ports = "Host ports";
    public const string Git = "git";
    public const string Gcloud = "gcloud (deploy)";
    public const string GcloudAuth = "gcloud account (deploy)";
    public const string GcloudProject = "gcloud project (deploy)";
    public const string Postgres = "PostgreSQL client";
    public const string FileWatching = "File watching (inotify)";

    private const string InstallDocker = "Install the Docker engine: scripts/onboard.sh --yes (Debian/Ubuntu), or https://docs.docker.com/engine/install/";

    /// <summary><paramref name="clientMissing"/>: no docker CLI at all; else the server version or the error.</summary>
    public static DoctorCheck EvaluateEngine(bool clientMissing, string? serverVersion, string? error, string? dockerHost)
    {
        if (clientMissing)
        {
            return DoctorCheck.Blocker(Engine, "the docker CLI is not installed", InstallDocker);
        }

        if (!string.IsNullOrEmpty(serverVersion))
        {
            return DoctorCheck.Ok(Engine, $"reachable, version {serverVersion}{(string.IsNullOrEmpty(dockerHost) ? string.Empty : $" (DOCKER_HOST={dockerHost})")}");
        }

        // The same words as every task that finds the engine silent (DevUp, Status, Prune ...).
        return DoctorCheck.Blocker(Engine, $"not reachable at {Docker.DockerEngine.Where(dockerHost)}: {FirstLine(error) ?? "no answer"}", Docker.DockerEngine.Fix(dockerHost));
    }

    public static DoctorCheck EvaluateCompose(ComposeVersion? v2, ComposeVersion? v1)
    {
        if (v2 is not null)
        {
            return DoctorCheck.Ok(Compose, $"v2 {v2.Version} ('docker compose'){(v1 is null ? string.Empty : $"; v1 {v1.Version} also installed")}");
        }

        if (v1 is not null)
        {
            return DoctorCheck.Warn(
                Compose,
                $"only v1 {v1.Version} ('docker-compose'), which the kit works around: {string.Join("; ", v1.Limitations)}",
                "Install Compose v2: apt-get install docker-compose-plugin (Docker's apt repository) or docker-compose-v2 (Ubuntu); https://docs.docker.com/compose/install/");
        }

        return DoctorCheck.Blocker(
            Compose,
            ComposeTool.NeitherFound + " found",
            "Install Compose v2: scripts/onboard.sh --yes (Debian/Ubuntu), or https://docs.docker.com/compose/install/");
    }

    /// <summary>
    /// buildx. A docker client from 23 on without it falls back to the legacy builder, which fails at
    /// <c>RUN --mount</c>: that blocks image builds. Older clients do BuildKit themselves with DOCKER_BUILDKIT=1.
    /// </summary>
    public static DoctorCheck EvaluateBuildx(string? buildxVersion, string? clientVersion)
    {
        if (!string.IsNullOrEmpty(buildxVersion))
        {
            return DoctorCheck.Ok(Buildx, buildxVersion);
        }

        const string fix = "Install the buildx plugin: apt-get install docker-buildx-plugin (Docker's apt repository) or docker-buildx (Ubuntu, Debian trixie); scripts/ci/install-docker.sh shows a registry-free way.";
        var major = MajorVersion(clientVersion);
        return major >= 23
            ? DoctorCheck.Blocker(Buildx, $"missing; docker client {clientVersion} then builds with the legacy builder, which fails at RUN --mount", fix)
            : DoctorCheck.Warn(Buildx, $"missing; docker client {clientVersion ?? "?"} still builds with BuildKit (DOCKER_BUILDKIT=1, which the kit sets)", fix);
    }

    public static DoctorCheck EvaluateDisk(string? path, long? freeBytes, double minimumGb, double warnGb)
    {
        if (path is null || freeBytes is not { } free)
        {
            return DoctorCheck.Skip(Disk, "not checked: the engine's data folder is not readable from here (engine unreachable, remote or rootless)");
        }

        var gb = free / 1e9;
        var text = $"{gb.ToString("0.0", CultureInfo.InvariantCulture)} GB free in {path}";
        var fix = $"Free space: {Bootstrapper.Command} --target=Prune (this project's images and stopped containers; preview first), or 'docker system df' to see what uses it.";
        return gb < minimumGb
            ? DoctorCheck.Blocker(Disk, $"{text}, below the {minimumGb.ToString(CultureInfo.InvariantCulture)} GB image builds need (config/ops.json)", fix)
            : gb < warnGb
                ? DoctorCheck.Warn(Disk, $"{text}, below {warnGb.ToString(CultureInfo.InvariantCulture)} GB (config/ops.json)", fix)
                : DoctorCheck.Ok(Disk, text);
    }

    /// <summary>
    /// The host's inotify limits against the dev stacks that watch files. Never blocking: DevUp falls back to polling
    /// when they are too low, but polling is slower and costs CPU, so raising them is the fix.
    /// </summary>
    public static DoctorCheck EvaluateFileWatching(Docker.FileWatchVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return verdict.Enough
            ? (verdict.Fix is null && verdict.Detail.StartsWith("not checked", StringComparison.Ordinal) ? DoctorCheck.Skip(FileWatching, verdict.Detail) : DoctorCheck.Ok(FileWatching, verdict.Detail))
            : DoctorCheck.Warn(FileWatching, $"{verdict.Detail}: DevUp would make the watchers poll (slower)", verdict.Fix ?? string.Empty);
    }

    /// <summary>Busy ports: one line each, naming the holder. Ports held by this project's own stack are fine.</summary>
    public static DoctorCheck EvaluatePorts(IReadOnlyList<int> checkedPorts, IReadOnlyList<string> busy, string projectName, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(checkedPorts);
        ArgumentNullException.ThrowIfNull(busy);
        if (busy.Count == 0)
        {
            return DoctorCheck.Ok(Ports, $"free for '{projectName}': {string.Join(", ", checkedPorts)}{(note is null ? string.Empty : $" ({note})")}");
        }

        return DoctorCheck.Blocker(
            Ports,
            string.Join("; ", busy),
            $"Stop what holds them, or run the stack on other ports: {Bootstrapper.Command} --target=DevUp --port-offset=<n> (and --project-name=<name> for a second checkout).");
    }

    public static DoctorCheck EvaluateGit(string? version) =>
        string.IsNullOrEmpty(version)
            ? DoctorCheck.Warn(Git, "not installed: image tags and labels say 'unknown' instead of the commit", "Install git: apt-get install git (or https://git-scm.com/downloads).")
            : DoctorCheck.Ok(Git, version);

    /// <summary>gcloud: installed, an active account, a project. Only deploy needs it: never blocking.</summary>
    public static IReadOnlyList<DoctorCheck> EvaluateGcloud(string? version, string? account, string? project)
    {
        if (string.IsNullOrEmpty(version))
        {
            return [DoctorCheck.Warn(Gcloud, "not installed (only deploy needs it)", "Install the Google Cloud CLI: https://cloud.google.com/sdk/docs/install")];
        }

        return
        [
            DoctorCheck.Ok(Gcloud, version),
            string.IsNullOrEmpty(account)
                ? DoctorCheck.Warn(GcloudAuth, "no active account", "gcloud auth login (and gcloud auth application-default login for client libraries)")
                : DoctorCheck.Ok(GcloudAuth, account),
            string.IsNullOrEmpty(project)
                ? DoctorCheck.Warn(GcloudProject, "no project set", "gcloud config set project <project-id>")
                : DoctorCheck.Ok(GcloudProject, project),
        ];
    }

    /// <summary>
    /// psql/pg_dump on the host against the server's major version: pg_dump refuses a newer server, and psql's
    /// backslash commands may not know its catalogue.
    /// </summary>
    public static DoctorCheck EvaluatePostgres(string? clientVersionText, int? serverMajor, string serverSource)
    {
        var client = MajorVersion(clientVersionText is null ? null : PostgresVersion().Match(clientVersionText) is { Success: true } m ? m.Value : null);
        var install = serverMajor is { } wanted
            ? $"Install postgresql-client-{wanted} (Debian/Ubuntu: the PGDG repository, https://www.postgresql.org/download/linux/)."
            : "Install the PostgreSQL client (apt-get install postgresql-client).";
        if (client is null)
        {
            return DoctorCheck.Warn(Postgres, "psql not installed on this machine (the kit's database tasks run the client inside the db container)", install);
        }

        var clientText = FirstLine(clientVersionText);
        if (serverMajor is not { } server)
        {
            return DoctorCheck.Ok(Postgres, $"{clientText}; server version unknown ({serverSource})");
        }

        return client >= server
            ? DoctorCheck.Ok(Postgres, $"{clientText}; server {server} ({serverSource})")
            : DoctorCheck.Warn(Postgres, $"client {client} is older than server {server} ({serverSource}): pg_dump refuses a newer server", install);
    }

    /// <summary>The server's major version from the image: PG_MAJOR in its environment, else the tag ("postgres:15").</summary>
    public static int? PostgresMajor(IEnumerable<string> imageEnvironment, string image)
    {
        ArgumentNullException.ThrowIfNull(imageEnvironment);
        ArgumentNullException.ThrowIfNull(image);
        foreach (var line in imageEnvironment)
        {
            if (line.StartsWith("PG_MAJOR=", StringComparison.Ordinal) && int.TryParse(line[9..], NumberStyles.None, CultureInfo.InvariantCulture, out var major))
            {
                return major;
            }
        }

        var tag = image.LastIndexOf(':') is var colon and > 0 && !image[colon..].Contains('/', StringComparison.Ordinal) ? image[(colon + 1)..] : string.Empty;
        return MajorVersion(tag);
    }

    /// <summary>The leading number of a version ("28.2.2" → 28, "Docker version 28.2.2, build x" → 28).</summary>
    public static int? MajorVersion(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var match = LeadingNumber().Match(text);
        return match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;
    }

    private static string? FirstLine(string? text) =>
        text?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();

    [GeneratedRegex(@"(\d+)(?:\.\d+)*")]
    private static partial Regex LeadingNumber();

    [GeneratedRegex(@"\d+(\.\d+)+")]
    private static partial Regex PostgresVersion();
}
