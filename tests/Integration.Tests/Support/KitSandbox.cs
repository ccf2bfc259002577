using System.Text.Json;
using System.Text.Json.Nodes;
using Build.Configuration;
using Build.Host;

namespace Integration.Tests.Support;

/// <summary>
/// A throwaway kit checkout for one test: the integration tests' own fixture app (tests/Integration.Tests/Fixtures/app:
/// config/ and scripts/db/, never the repository's) and the kit's schemas copied into a temporary folder, editable per
/// test, with the real host run in-process against it (KIT_ROOT), as ./build.sh would.
/// </summary>
public sealed class KitSandbox : IDisposable
{
    private static readonly Lock ConsoleGate = new();

    public KitSandbox()
    {
        Root = Directory.CreateTempSubdirectory("kit-sandbox-").FullName;
        Copy(Path.Combine(RepositoryRoot.Path, "tests", "Integration.Tests", "Fixtures", "app"), Root);
        Copy(Path.Combine(RepositoryRoot.Path, "config", "schema"), Path.Combine(Root, "config", "schema"));
    }

    public string Root { get; }

    public string MigrationsFolder => Path.Combine(Root, "scripts", "db", "migrations");

    public string BackupsFolder(string environment = "dev") => Path.Combine(Root, "backups", environment);

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;

        /// <summary>
        /// The non-empty lines written to standard error, without the engine's own "An error occurred when executing
        /// task 'X'." header that precedes every failure of any task.
        /// </summary>
        public IReadOnlyList<string> ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("An error occurred when executing task", StringComparison.Ordinal))
            .ToArray();

        /// <summary>The failure is exactly one line: "Error: ..." with no stack trace and no tool output dump.</summary>
        public string SingleErrorLine()
        {
            Assert.That(ErrorLines, Has.Count.EqualTo(1), Error);
            Assert.That(ErrorLines[0], Does.StartWith("Error: ").Or.StartWith("Refused"), Error);
            Assert.That(All, Does.Not.Contain("   at "), "a stack trace was printed");
            return ErrorLines[0];
        }
    }

    public Result Run(params string[] args)
    {
        lock (ConsoleGate)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var (originalOut, originalError) = (Console.Out, Console.Error);
            var saved = new[] { "NO_COLOR", "KIT_ROOT" }.ToDictionary(n => n, Environment.GetEnvironmentVariable);
            Console.SetOut(output);
            Console.SetError(error);
            Environment.SetEnvironmentVariable("NO_COLOR", "1");
            Environment.SetEnvironmentVariable("KIT_ROOT", Root);
            try
            {
                var exitCode = Build.KitHost.Create().Run(args);
                var result = new Result(exitCode, output.ToString(), error.ToString());
                TestContext.Out.WriteLine($"$ ./build.sh {string.Join(' ', args.Select(a => a.StartsWith("--connection=", StringComparison.Ordinal) ? "--connection=..." : a))}  -> exit {exitCode}");
                TestContext.Out.WriteLine(result.All);
                return result;
            }
            finally
            {
                Console.SetOut(originalOut);
                Console.SetError(originalError);
                foreach (var (name, value) in saved)
                {
                    Environment.SetEnvironmentVariable(name, value);
                }
            }
        }
    }

    /// <summary>Edits config/database.json (schema-validated when the host loads it).</summary>
    public void EditDatabaseConfig(Action<JsonObject> edit) => EditJson(Path.Combine(Root, "config", "database.json"), edit);

    public void EditProjectConfig(Action<JsonObject> edit) => EditJson(Path.Combine(Root, "config", "project.json"), edit);

    public void SetRetention(int keepLast, int keepDailyForDays) =>
        EditDatabaseConfig(c => c["backup"]!["retention"] = new JsonObject { ["keepLast"] = keepLast, ["keepDailyForDays"] = keepDailyForDays });

    public void WriteMigration(string fileName, string sql) => File.WriteAllText(Path.Combine(MigrationsFolder, fileName), sql);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void EditJson(string path, Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(node);
        File.WriteAllText(path, node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
