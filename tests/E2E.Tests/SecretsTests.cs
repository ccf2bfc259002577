using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using E2E.Tests.Support;

namespace E2E.Tests;

/// <summary>
/// A password in <c>.env</c> that tools print in their own encodings (compose's <c>$$</c>, JSON and YAML escapes, URL
/// encoding) and that breaks connection-string syntax (<c>;</c>, <c>=</c>, <c>"</c>, <c>\</c>): at diagnostic
/// verbosity no task prints it in any form, and the api still reaches its database with it. One stack per password,
/// in a kit root of its own so the password really comes from a <c>.env</c> file.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SecretsTests
{
    private static readonly TimeSpan DevUpTimeout = TimeSpan.FromMinutes(6);

    [OneTimeSetUp]
    public void EngineAndImages()
    {
        Kit.RequireEngine();
        Kit.PrepareBaseImages();
        var images = Kit.Run(null, TimeSpan.FromMinutes(15), "--target=BuildImages");
        Assert.That(images.ExitCode, Is.Zero, images.ToString());
    }

    [TestCase("Sup3r$ecret-Value", TestName = "A password with $ is printed in no encoding")]
    [TestCase("Pa\"ss\\wo;rd=X$y-1", TestName = "A password with quote, backslash, semicolon and equals works and is printed in no encoding")]
    public async Task A_password_in_dotenv_is_printed_in_no_encoding_and_the_api_reaches_its_database(string password)
    {
        using var stack = new Stack();
        var root = KitRootWithPassword(password);
        try
        {
            // The password comes from the root's .env only: not the test run's own.
            var environment = new Dictionary<string, string?> { ["POSTGRES_PASSWORD"] = null };
            string[] diagnostic = ["--verbosity=diagnostic"];
            var runs = new List<(string Task, Kit.Result Result)>();
            Kit.Result Run(string task, params string[] arguments)
            {
                var result = Kit.RunInRoot(root, environment, DevUpTimeout, [$"--target={task}", .. arguments, .. diagnostic]);
                runs.Add((task, result));

                // Doctor's verdict depends on the host (a slow probe on a busy machine fails it): only what it prints matters here.
                Assert.That(result.ExitCode, task == "Doctor" ? Is.AnyOf(0, 1) : Is.Zero, $"{task}: {result}");
                return result;
            }

            Run("DevUp", [.. stack.Arguments("--skip-build")]);
            await AssertApiHealthy(stack);
            Run("Status", stack.Arguments());
            Run("Doctor", stack.Arguments());
            Run("Logs", stack.Arguments());
            Run("DevRestart", stack.Arguments());
            await AssertApiHealthy(stack);
            Run("DbReset", stack.Arguments());
            Run("Backup", stack.Arguments());
            Run("Deploy", "--env=staging", "--dryrun");

            var forms = Encodings(password);
            Assert.Multiple(() =>
            {
                foreach (var (task, result) in runs)
                {
                    foreach (var (encoding, form) in forms)
                    {
                        var at = result.Output.IndexOf(form, StringComparison.OrdinalIgnoreCase);
                        Assert.That(at, Is.EqualTo(-1), $"{task} printed the password {encoding}: ...{Around(result.Output, at)}...");
                    }
                }
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Every form of the password a tool may print, by name; compared ignoring case (Npgsql lower-cases).</summary>
    private static IReadOnlyList<(string Encoding, string Form)> Encodings(string password)
    {
        var dollars = password.Replace("$", "$$", StringComparison.Ordinal);
        var forms = new List<(string, string)>
        {
            ("as is", password),
            ("$$-escaped (compose config)", dollars),
            ("JSON-escaped", Unquote(JsonSerializer.Serialize(password))),
            ("JSON-escaped, relaxed", Unquote(JsonSerializer.Serialize(password, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))),
            ("JSON-escaped after $$", Unquote(JsonSerializer.Serialize(dollars, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))),
            ("YAML-escaped", YamlDoubleQuoted(password)),
            ("YAML-escaped after $$", YamlDoubleQuoted(dollars)),
            ("URL-encoded", Uri.EscapeDataString(password)),
            ("form-encoded", WebUtility.UrlEncode(password)),
            ("connection-string quoted", password.Replace("\"", "\"\"", StringComparison.Ordinal)),
        };
        return forms.DistinctBy(f => f.Item2, StringComparer.OrdinalIgnoreCase).ToArray();
    }

    private static string YamlDoubleQuoted(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static string Unquote(string json) => json[1..^1];

    private static string Around(string text, int at) => at < 0 ? "" : text.Substring(Math.Max(0, at - 60), Math.Min(text.Length - Math.Max(0, at - 60), 120));

    private static async Task AssertApiHealthy(Stack stack)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{stack.ApiPort}/health"));
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), await health.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A kit root sharing this checkout's compose files, sources and scripts, with its own config, a <c>.env</c>
    /// holding <paramref name="password"/> (double-quoted dotenv syntax) and a git history of one commit (Deploy
    /// tags images with the commit).
    /// </summary>
    private static string KitRootWithPassword(string password)
    {
        var root = Kit.ScratchRoot("kit-e2e-secrets-");
        var quoted = password.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(root, ".env"), $"POSTGRES_PASSWORD=\"{quoted}\"\n", new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(root, ".gitignore"), ".env\n.env.offline\nbackups/\n.build/\n");
        foreach (var arguments in new[] { new[] { "init", "--quiet" }, ["add", "--all"], ["commit", "--quiet", "--message=fixture"] })
        {
            var git = Kit.Process("git", root, null, TimeSpan.FromMinutes(1), ["-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid", .. arguments]);
            Assert.That(git.ExitCode, Is.Zero, git.ToString());
        }

        return root;
    }
}
