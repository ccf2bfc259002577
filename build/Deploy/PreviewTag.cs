using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Build.Deploy;

/// <summary>
/// The traffic tag of a preview: <c>pr-&lt;n&gt;</c> for a pull request (from the CI's variables), else the branch's
/// name made a valid tag. Cloud Run's rules: lower-case letters, digits and hyphens, starting with a letter and ending
/// with a letter or digit, at least 3 characters, and the tag and the service's name together at most 46 characters
/// (they form the tag URL's first DNS label, <c>TAG---SERVICE-HASH-REGION.a.run.app</c>).
/// </summary>
public static partial class PreviewTag
{
    /// <summary>Cloud Run refuses a tag whose length and the service name's length add up to more.</summary>
    public const int MaxWithServiceName = 46;

    public const int MinLength = 3;

    /// <summary>Variables that hold a pull (merge) request's number, by CI service.</summary>
    private static readonly string[] NumberVariables =
    [
        "CI_MERGE_REQUEST_IID",                 // GitLab
        "BUILDKITE_PULL_REQUEST",               // Buildkite ("false" outside a pull request)
        "BITBUCKET_PR_ID",                      // Bitbucket Pipelines
        "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER", // Azure Pipelines
        "_PR_NUMBER",                           // Cloud Build triggers, when passed on as a variable
    ];

    /// <summary>The longest tag the services allow: 46 less the longest name.</summary>
    public static int MaxLength(IEnumerable<string> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return MaxWithServiceName - services.Select(s => s.Length).DefaultIfEmpty(0).Max();
    }

    /// <summary>The pull request this CI run builds, from its variables (GitHub's ref refs/pull/N/merge, GitLab's IID, ...), or null.</summary>
    public static int? PullRequest(IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment.GetValueOrDefault("GITHUB_REF") is { } reference && GitHubPullRef().Match(reference) is { Success: true } github)
        {
            return int.Parse(github.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (environment.GetValueOrDefault("CIRCLE_PULL_REQUEST") is { } url && TrailingNumber().Match(url) is { Success: true } circle)
        {
            return int.Parse(circle.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return NumberVariables
            .Select(v => environment.GetValueOrDefault(v))
            .Select(v => int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : (int?)null)
            .FirstOrDefault(n => n is not null);
    }

    /// <summary>The preview's tag: the pull request's when CI builds one, else the branch's.</summary>
    public static string For(IReadOnlyDictionary<string, string?> environment, string branch, int maxLength)
    {
        if (PullRequest(environment) is { } number)
        {
            var tag = $"pr-{number.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            return tag.Length <= maxLength
                ? tag
                : throw new DeployException($"The preview tag {tag} is too long for these services: Cloud Run allows {MaxWithServiceName} characters for a tag and the service's name together. Shorten the service names in config/deploy.json.", 2);
        }

        if (branch is "unknown" or "detached" or "HEAD" || string.IsNullOrWhiteSpace(branch))
        {
            throw new DeployException("A preview is tagged from its branch or pull request, and this checkout is on neither (a detached HEAD without CI variables): check out a branch.", 2);
        }

        return FromBranch(branch, maxLength);
    }

    /// <summary>
    /// A branch's name as a valid tag: lower case, every run of other characters one hyphen, "br-" in front when it
    /// would not start with a letter, be too short or look like a pull request's tag; a name too long is cut and gets
    /// four characters of its hash, so two long branches with the same beginning keep two tags.
    /// </summary>
    public static string FromBranch(string branch, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(branch);
        if (maxLength < MinLength + 5)
        {
            throw new DeployException($"No preview tag fits: Cloud Run allows {MaxWithServiceName} characters for a tag and the service's name together, and the service names leave {Math.Max(0, maxLength)}. Shorten the service names in config/deploy.json.", 2);
        }

        var tag = NotTagCharacters().Replace(branch.ToLowerInvariant(), "-").Trim('-');
        if (tag.Length == 0)
        {
            throw new DeployException($"The branch '{branch}' has no letter or digit to make a preview tag of: rename the branch.", 2);
        }

        if (!char.IsAsciiLetterLower(tag[0]) || tag.Length < MinLength || PullRequestTag().IsMatch(tag) || tag == DeployPlanner.CandidateTag)
        {
            tag = "br-" + tag;
        }

        if (tag.Length > maxLength)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(branch)))[..4];
            tag = tag[..(maxLength - 5)].TrimEnd('-') + "-" + hash;
        }

        return tag;
    }

    /// <summary>Whether a tag is a pull request's (<c>pr-&lt;n&gt;</c>): its branch is not what says it is still open.</summary>
    public static bool IsPullRequestTag(string tag) => PullRequestTag().IsMatch(tag);

    /// <summary>What the tags of the branches (or pull requests) in <paramref name="names"/> are.</summary>
    public static IReadOnlySet<string> TagsOf(IEnumerable<string> names, int maxLength) =>
        names.Select(n => n.Trim()).Where(n => n.Length > 0)
            .Select(n => IsPullRequestTag(n) ? n : FromBranch(n, maxLength))
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^refs/pull/([0-9]+)/(merge|head)$")]
    private static partial Regex GitHubPullRef();

    [GeneratedRegex(@"/pull/([0-9]+)$")]
    private static partial Regex TrailingNumber();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotTagCharacters();

    [GeneratedRegex("^pr-[0-9]+$")]
    private static partial Regex PullRequestTag();
}
