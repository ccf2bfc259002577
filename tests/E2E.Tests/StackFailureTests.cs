using System.Text.RegularExpressions;
using E2E.Tests.Support;

namespace E2E.Tests;

/// <summary>
/// The dev stack when things go wrong, against a real Docker engine, on one shared stack (the machine is small): a
/// fresh clone without .env, an image that is not there, the stack's network removed under it, compose's control
/// sequences in Logs, and .env deleted while the stack runs. The kit runs from a scratch root (this checkout's compose
/// files, sources and config; its own .env), so the checkout's own .env is never touched. One test in steps, each
/// starting from the state the one before left.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class StackFailureTests
{
    private static readonly TimeSpan DevUpTimeout = TimeSpan.FromMinutes(6);
    private readonly Stack stack = new();
    private readonly List<Stack> others = [];
    private string root = string.Empty;

    /// <summary>
    /// What every step runs with: no password in the environment (the scratch root's .env must carry it), and the
    /// image BuildImages tags in every checkout (.env.example names ':local', which only a checkout's own builds tag).
    /// </summary>
    private static readonly Dictionary<string, string?> FreshClone = new() { ["POSTGRES_PASSWORD"] = null, ["API_IMAGE"] = $"{AppConfig.Repository("api")}:dev" };

    private string DotEnv => Path.Combine(root, ".env");

    [OneTimeSetUp]
    public void EngineImagesAndScratchRoot()
    {
        Kit.RequireEngine();
        Kit.PrepareBaseImages();
        var images = Kit.Run(null, TimeSpan.FromMinutes(15), "--target=BuildImages");
        Assert.That(images.ExitCode, Is.Zero, images.ToString());
        root = Kit.ScratchRoot("kit-e2e-");
    }

    [OneTimeTearDown]
    public void RemoveStacksAndRoot()
    {
        foreach (var each in others.Append(stack))
        {
            each.Dispose();
        }

        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void One_stack_from_a_fresh_clone_through_a_missing_image_a_lost_network_and_a_deleted_env()
    {
        DevUp_on_a_fresh_clone_writes_env_with_generated_passwords_says_so_and_comes_up();
        A_missing_image_stops_DevUp_in_one_line_before_anything_is_created();
        A_network_removed_under_the_running_stack_is_reported_by_Status_and_repaired_by_DevUp();
        Logs_off_a_terminal_carry_no_control_sequences();
        Without_env_the_running_stack_is_still_shown_logged_pruned_and_stopped();
    }

    /// <summary>Issue 9, case 19: the README's first command on a fresh clone.</summary>
    private void DevUp_on_a_fresh_clone_writes_env_with_generated_passwords_says_so_and_comes_up()
    {
        Assert.That(File.Exists(DotEnv), Is.False);

        var up = Run(FreshClone, DevUpTimeout, "--target=DevUp", "--skip-build");

        Assert.That(up.ExitCode, Is.Zero, up.ToString());
        var said = up.Output.Split('\n').Where(l => l.Contains(".env", StringComparison.Ordinal) && l.Contains("wrote", StringComparison.Ordinal)).ToArray();
        Assert.That(said, Has.Length.EqualTo(1), up.ToString());
        Assert.That(said[0], Does.StartWith("No .env: wrote it from .env.example, generating POSTGRES_PASSWORD"));
        var password = Regex.Match(File.ReadAllText(DotEnv), "(?m)^POSTGRES_PASSWORD=([0-9a-f]{32})$");
        Assert.That(password.Success, Is.True, File.ReadAllText(DotEnv));
        Assert.That(up.Output, Does.Not.Contain(password.Groups[1].Value), "the generated password was printed");
        Assert.That(up.Output, Does.Contain("All healthy after"), up.ToString());
    }

    /// <summary>Case 8: --skip-build with an image that is not there; a public image no registry answers for.</summary>
    private void A_missing_image_stops_DevUp_in_one_line_before_anything_is_created()
    {
        var other = new Stack();
        others.Add(other);
        var arguments = new[] { "--target=DevUp", "--skip-build", $"--env={Stack.Environment}", $"--project-name={other.Name}", $"--port-offset={other.PortOffset}" };

        var kitImage = Run(new() { ["API_IMAGE"] = $"{AppConfig.Repository("api")}:e2e-missing" }, DevUpTimeout, arguments);

        Assert.That(kitImage.ExitCode, Is.EqualTo(1), kitImage.ToString());
        Assert.That(ErrorLines(kitImage), Is.EqualTo(new[]
        {
            $"Error: Image {AppConfig.Repository("api")}:e2e-missing (service api) is not on this machine, and --skip-build starts from images already built: drop --skip-build, or run ./build.sh --target=BuildImages first.",
        }), kitImage.ToString());
        Assert.That(kitImage.Output, Does.Not.Contain("docker compose failed"));
        AssertNothingCreated(other);

        // A public image no registry answers for: the offline stand-ins are the way out.
        var publicImage = Run(new() { ["API_IMAGE"] = $"{AppConfig.Repository("api")}:dev", ["POSTGRES_IMAGE"] = "registry.invalid/e2e/postgres:15" }, DevUpTimeout, arguments);

        Assert.That(publicImage.ExitCode, Is.EqualTo(1), publicImage.ToString());
        var error = ErrorLines(publicImage).Single();
        Assert.That(error, Does.StartWith("Error: Image registry.invalid/e2e/postgres:15 (service db) is not on this machine and no registry answered"));
        Assert.That(error, Does.Contain("./build.sh --target=OfflineImages"));
        AssertNothingCreated(other);
    }

    /// <summary>Case 9.</summary>
    private void A_network_removed_under_the_running_stack_is_reported_by_Status_and_repaired_by_DevUp()
    {
        var network = $"{stack.Name}_default";
        foreach (var container in stack.Containers())
        {
            Kit.Docker("network", "disconnect", "--force", network, container);
        }

        var removed = Kit.Docker("network", "rm", network);
        Assert.That(removed.ExitCode, Is.Zero, removed.ToString());

        var status = Run(null, TimeSpan.FromMinutes(2), "--target=Status");
        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        Assert.That(status.Output, Does.Match(@"(?m)^\s+db\s+running \(healthy\), network lost"), status.ToString());
        Assert.That(status.Output, Does.Contain($"lost network {network}").And.Contain("./build.sh --target=DevUp recreates them"), status.ToString());

        var up = Run(FreshClone, DevUpTimeout, "--target=DevUp", "--skip-build");

        Assert.That(up.ExitCode, Is.Zero, up.ToString());
        Assert.That(up.Output, Does.Contain($"lost network {network}").And.Contain("recreating them"), up.ToString());
        Assert.That(up.Output, Does.Contain("--force-recreate"), up.ToString());
        Assert.That(up.Output, Does.Contain("is up to date").Or.Contain("Applied"), "Migrate reached the database");
        var after = Run(null, TimeSpan.FromMinutes(2), "--target=Status");
        Assert.That(after.Output, Does.Not.Contain("network lost"), after.ToString());
        Assert.That(after.Output, Does.Match(@"(?m)^\s+db\s+running \(healthy\)"), after.ToString());
    }

    /// <summary>Case 16.</summary>
    private void Logs_off_a_terminal_carry_no_control_sequences()
    {
        // Kit.Process sets NO_COLOR=1 and reads a pipe: compose's ESC[2K must not come through.
        var logs = Run(null, TimeSpan.FromMinutes(2), "--target=Logs", "--tail=20");

        Assert.That(logs.ExitCode, Is.Zero, logs.ToString());
        Assert.That(logs.Output, Does.Match(@"(?m)^db-1\s+\|"), logs.ToString());
        Assert.That(logs.Output.Where(c => char.IsControl(c) && c is not '\n' and not '\t' and not '\r'), Is.Empty, logs.ToString());
    }

    /// <summary>Case 6.</summary>
    private void Without_env_the_running_stack_is_still_shown_logged_pruned_and_stopped()
    {
        File.Delete(DotEnv);

        var status = Run(null, TimeSpan.FromMinutes(2), "--target=Status");
        Assert.That(status.ExitCode, Is.Zero, status.ToString());
        Assert.That(status.Output, Does.Match(@"(?m)^\s+api\s+running \(healthy\)"), status.ToString());

        var logs = Run(null, TimeSpan.FromMinutes(2), "--target=Logs", "--tail=5");
        Assert.That(logs.ExitCode, Is.Zero, logs.ToString());

        var prune = Run(null, TimeSpan.FromMinutes(2), "--target=Prune");
        Assert.That(prune.ExitCode, Is.Zero, prune.ToString());

        var down = Run(null, TimeSpan.FromMinutes(3), "--target=DevDown");
        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.That(stack.Containers(), Is.Empty, "DevDown left the stack running");
        Assert.That(File.Exists(DotEnv), Is.False, "only the tasks that create the stack write .env");
    }

    /// <summary>The kit in the scratch root, on this fixture's stack unless the arguments name another.</summary>
    private Kit.Result Run(Dictionary<string, string?>? environment, TimeSpan timeout, params string[] arguments)
    {
        var selects = arguments.Any(a => a.StartsWith("--project-name=", StringComparison.Ordinal));
        var variables = new Dictionary<string, string?>(FreshClone);
        foreach (var (name, value) in environment ?? [])
        {
            variables[name] = value;
        }

        var result = Kit.RunInRoot(root, variables, timeout, selects ? arguments : stack.Arguments(arguments));
        TestContext.Out.WriteLine(result.ToString());
        return result;
    }

    private static string[] ErrorLines(Kit.Result result) =>
        result.Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToArray();

    private static void AssertNothingCreated(Stack other)
    {
        Assert.That(other.Containers(), Is.Empty, "containers were created");
        Assert.That(other.Volumes(), Is.Empty, "volumes were created");
        var networks = Kit.Docker("network", "ls", "--quiet", "--filter", $"label=com.docker.compose.project={other.Name}").Output.Trim();
        Assert.That(networks, Is.Empty, "a network was created");
    }
}
