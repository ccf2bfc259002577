namespace E2E.Tests.Support;

/// <summary>
/// One compose project of a test: a random name and host-port offset, so tests (and a developer's own stack) never
/// clash. Disposing removes everything the project created (containers, volumes, network) with plain docker
/// commands, whatever state the kit left it in.
/// </summary>
public sealed class Stack : IDisposable
{
    public const string Environment = "local-prod";

    public Stack()
    {
        Name = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        PortOffset = NextPortOffset();
    }

    /// <summary>A stack of a chosen name and host-port offset (e.g. one stack shared by a test class's tests).</summary>
    public Stack(string name, int portOffset)
    {
        Name = name;
        PortOffset = portOffset;
    }

    /// <summary>
    /// A host-port offset no other stack of this test run has, keeping every published port (the highest default is
    /// 8088) below 32768, where Linux's ephemeral range starts: a port there may be held by any outgoing connection.
    /// Claimed across processes too (the Test target runs parts of this suite side by side): each offset is a file
    /// this process holds locked until it exits, so a crash frees it.
    /// </summary>
    public static int NextPortOffset()
    {
        for (var attempt = 0; attempt < 230; attempt++)
        {
            var offset = (Interlocked.Increment(ref nextOffsetStep) % 230 + 10) * 100;
            if (offset != ReservedForBuildTests && Claim(offset))
            {
                return offset;
            }
        }

        throw new InvalidOperationException("every host-port offset is held by another test process.");
    }

    private static int nextOffsetStep = Random.Shared.Next(0, 230);

    // Build.Tests' golden DevUp dry run (DryRunPlanTests) uses --port-offset=20000 and expects nothing on its ports:
    // the Test target runs that suite beside this one.
    private const int ReservedForBuildTests = 20000;

    private static readonly List<FileStream> Claimed = [];

    private static bool Claim(int offset)
    {
        var folder = Path.Combine(Path.GetTempPath(), "kit-e2e-port-offsets");
        Directory.CreateDirectory(folder);
        try
        {
            // FileShare.None is an exclusive advisory lock on Linux and macOS: another process's open fails.
            var claim = new FileStream(Path.Combine(folder, offset + ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            lock (Claimed)
            {
                Claimed.Add(claim);
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public string Name { get; }

    public int PortOffset { get; }

    public int ApiPort => AppConfig.HostPort("API_PORT") + PortOffset;

    public int ProxyPort => AppConfig.HostPort("PROXY_PORT") + PortOffset;

    /// <summary>The arguments that select this stack: environment, project name, port offset.</summary>
    public string[] Arguments(params string[] more) =>
        [$"--env={Environment}", $"--project-name={Name}", $"--port-offset={PortOffset}", .. more];

    public IReadOnlyList<string> Volumes() =>
        Kit.Docker("volume", "ls", "--quiet", "--filter", $"label=com.docker.compose.project={Name}").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The id of a compose service's container in this project (empty when none runs), for exec and inspect.</summary>
    public string Container(string service) =>
        Kit.Docker("ps", "--quiet", "--filter", $"label=com.docker.compose.project={Name}", "--filter", $"label=com.docker.compose.service={service}").Output.Trim();

    public IReadOnlyList<string> Containers() =>
        Kit.Docker("ps", "--all", "--quiet", "--filter", $"label=com.docker.compose.project={Name}").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public void Dispose()
    {
        var containers = Containers();
        if (containers.Count > 0)
        {
            Kit.Docker(["rm", "--force", "--volumes", .. containers]);
        }

        var volumes = Volumes();
        if (volumes.Count > 0)
        {
            Kit.Docker(["volume", "rm", "--force", .. volumes]);
        }

        var networks = Kit.Docker("network", "ls", "--quiet", "--filter", $"label=com.docker.compose.project={Name}").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (networks.Length > 0)
        {
            Kit.Docker(["network", "rm", .. networks]);
        }
    }
}
