namespace Build.Tools.Git;

public sealed record GitSettings : ToolSettings;

/// <summary>What image tags and version info need from the work tree.</summary>
public sealed record GitInfo(string Commit, string Branch, bool IsDirty)
{
    public static GitInfo Unknown { get; } = new("unknown", "unknown", false);

    public string ShortCommit => Commit.Length > 12 ? Commit[..12] : Commit;
}

/// <summary>The <c>git</c> command (Cake.Git cannot load here: its libgit2 wants an old libssl).</summary>
public sealed class GitTool(ICommandRunner runner) : Tool<GitSettings>(runner)
{
    protected override string ToolName => "git";

    private const string InstallText = "Install git (apt-get install git).";

    protected override string? InstallHint => InstallText;

    /// <summary>A git command from prepared arguments (Doctor's probe); a query runs in a dry run too and is not echoed.</summary>
    public static ToolCommand Command(ArgumentList arguments, bool query = false) => Bare("git", InstallText, arguments, query);

    public static ArgumentList VersionArguments() => new(["--version"]);

    public static ArgumentList RevParseArguments() => new(["rev-parse", "HEAD", "--abbrev-ref", "HEAD"]);

    public static ArgumentList StatusArguments() => new(["status", "--porcelain"]);

    public static ArgumentList CommitTimeArguments() => new(["log", "-1", "--format=%cI"]);

    /// <summary>The branches the remote has now (not the local copies of them, which a deleted branch outlives).</summary>
    public static ArgumentList RemoteHeadsArguments(string remote) => new(["ls-remote", "--heads", remote]);

    /// <summary>The branch names of <paramref name="remote"/> (<c>refs/heads/</c> stripped).</summary>
    public async Task<IReadOnlyList<string>> RemoteBranchesAsync(GitSettings settings, string remote, CancellationToken cancellationToken = default)
    {
        var result = await QueryAsync(settings, RemoteHeadsArguments(remote), cancellationToken).ConfigureAwait(false);
        return result.OutputLines
            .Select(l => l.Split('\t', 2))
            .Where(p => p.Length == 2 && p[1].StartsWith("refs/heads/", StringComparison.Ordinal))
            .Select(p => p[1]["refs/heads/".Length..])
            .ToArray();
    }

    /// <summary>The commit time of HEAD (ISO 8601), or null in a repository without commits.</summary>
    public async Task<string?> CommitTimeAsync(GitSettings settings, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await QueryAsync(settings, CommitTimeArguments(), cancellationToken).ConfigureAwait(false)).StandardOutput.Trim();
        }
        catch (ToolFailedException)
        {
            return null;
        }
    }

    /// <summary>Commit, branch and dirty state; <see cref="GitInfo.Unknown"/> outside a repository.</summary>
    public async Task<GitInfo> GetInfoAsync(GitSettings settings, IReadOnlyDictionary<string, string?>? environment = null)
    {
        try
        {
            var revParse = await QueryAsync(settings, RevParseArguments()).ConfigureAwait(false);
            var lines = revParse.OutputLines;
            var status = await QueryAsync(settings, StatusArguments()).ConfigureAwait(false);
            var branch = lines.Count > 1 ? lines[1] : "HEAD";
            if (branch == "HEAD")
            {
                // CI checks out a detached HEAD; its own variables name the branch.
                branch = FirstSet(environment, "GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BRANCH_NAME") ?? "detached";
            }

            return new GitInfo(lines[0], branch, status.OutputLines.Count > 0);
        }
        catch (ToolFailedException)
        {
            return GitInfo.Unknown;
        }
    }

    private static string? FirstSet(IReadOnlyDictionary<string, string?>? environment, params string[] names) =>
        names.Select(n => environment is not null && environment.TryGetValue(n, out var v) ? v : System.Environment.GetEnvironmentVariable(n))
            .FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
