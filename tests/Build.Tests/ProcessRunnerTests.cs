using Build.Tools;
using Cake.Core.Diagnostics;

namespace Build.Tests;

/// <summary>The one process runner, on real processes: echo, streaming, masking, exit codes, binary streams.</summary>
public sealed class ProcessRunnerTests
{
    private sealed class ListLog : ICakeLog
    {
        public List<string> Lines { get; } = [];

        public Verbosity Verbosity { get; set; } = Verbosity.Diagnostic;

        public void Write(Verbosity verbosity, LogLevel level, string format, params object[] args) =>
            Lines.Add(args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }

    private static ToolCommand Shell(string script, params string[] extra) => new()
    {
        Tool = "sh",
        Executable = "/bin/sh",
        Arguments = new ArgumentList(["-c", script, "sh"]).Add(extra),
    };

    [Test]
    public async Task Echoes_the_command_then_streams_its_output_with_secrets_masked()
    {
        var log = new ListLog();
        var masker = new SecretMasker();
        masker.Add("hunter22");

        var result = await new ProcessCommandRunner(log, masker).RunAsync(Shell("echo \"password is $1\"", "hunter22"));

        Assert.That(log.Lines[0], Is.EqualTo("> /bin/sh -c 'echo \"password is $1\"' sh [REDACTED]"));
        Assert.That(log.Lines, Does.Contain("password is [REDACTED]"));
        Assert.That(result.StandardOutput.Trim(), Is.EqualTo("password is hunter22"), "the caller gets the real output");
    }

    [Test]
    public async Task A_failing_tool_keeps_its_exit_code_and_the_last_lines_of_its_errors()
    {
        var runner = new ProcessCommandRunner(new ListLog(), new SecretMasker());

        var error = await Assert.ThrowsAsync<ToolFailedException>(() => runner.RunAsync(Shell("for i in $(seq 1 30); do echo \"problem $i\" >&2; done; exit 42")));

        Assert.That(error!.ExitCode, Is.EqualTo(42));
        Assert.That(error.ErrorTail, Has.Count.EqualTo(20));
        Assert.That(error.ErrorTail[^1], Is.EqualTo("problem 30"));
        Assert.That(error.Message, Does.StartWith("sh failed (exit code 42)"));
    }

    [Test]
    public async Task A_tool_exiting_2_is_a_failure_exit_1_never_the_kits_bad_input_code()
    {
        var runner = new ProcessCommandRunner(new ListLog(), new SecretMasker());

        // psql and pg_dump exit 2 for a broken connection; the kit's 2 means bad input or a refused step only.
        var error = await Assert.ThrowsAsync<ToolFailedException>(() => runner.RunAsync(Shell("exit 2")));

        Assert.That(error!.ExitCode, Is.EqualTo(1));
        Assert.That(error.ToolExitCode, Is.EqualTo(2));
        Assert.That(error.Message, Does.StartWith("sh failed (exit code 2)"));
    }

    [Test]
    public async Task A_missing_executable_is_exit_code_127_with_the_install_hint()
    {
        var runner = new ProcessCommandRunner(new ListLog(), new SecretMasker());
        var command = new ToolCommand { Tool = "gcloud", Executable = "/nonexistent/gcloud", InstallHint = "Install the Google Cloud CLI." };

        var error = await Assert.ThrowsAsync<ToolFailedException>(() => runner.RunAsync(command));

        Assert.That(error!.ExitCode, Is.EqualTo(127));
        Assert.That(error.Message, Does.Contain("was not found").And.Contain("Install the Google Cloud CLI."));
    }

    [Test]
    public async Task Arguments_reach_the_process_exactly_as_given()
    {
        var tricky = new[] { "with space", "quote'd", "dollar $HOME", "semi;colon", "new\nline", string.Empty };

        var result = await new ProcessCommandRunner(new ListLog(), new SecretMasker()).RunAsync(Shell("for a in \"$@\"; do printf '[%s]' \"$a\"; done", tricky));

        Assert.That(result.StandardOutput.TrimEnd('\n'), Is.EqualTo(string.Concat(tricky.Select(t => $"[{t}]"))));
    }

    [Test]
    public async Task Binary_output_and_input_stream_through_files_unchanged()
    {
        var directory = Directory.CreateTempSubdirectory("kit-runner-").FullName;
        try
        {
            var source = Path.Combine(directory, "in.bin");
            var copy = Path.Combine(directory, "out.bin");
            var bytes = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7 % 256)).ToArray();
            await File.WriteAllBytesAsync(source, bytes);

            await new ProcessCommandRunner(new ListLog(), new SecretMasker()).RunAsync(Shell("cat") with { StandardInputFile = source, StandardOutputFile = copy });

            Assert.That(await File.ReadAllBytesAsync(copy), Is.EqualTo(bytes));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task A_timeout_stops_the_process_and_says_so()
    {
        var runner = new ProcessCommandRunner(new ListLog(), new SecretMasker());

        var error = await Assert.ThrowsAsync<ToolFailedException>(() => runner.RunAsync(Shell("sleep 30") with { Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.That(error!.ExitCode, Is.EqualTo(124));
        Assert.That(error.Message, Does.Contain("timed out"));
    }

    private sealed class Reader(Func<Stream, CancellationToken, Task> read) : IStandardOutputReader
    {
        public string Description => "the test's reader";

        public Task ReadAsync(Stream output, CancellationToken cancellationToken) => read(output, cancellationToken);
    }

    [Test]
    public async Task A_reader_takes_standard_output_as_bytes_while_the_process_runs_and_what_it_leaves_is_drained()
    {
        var seen = new MemoryStream();
        var command = Shell("head -c 300000 /dev/zero | tr '\\0' 'x'; printf 'tail'") with
        {
            StandardOutputReader = new Reader(async (output, token) =>
            {
                var buffer = new byte[100_000];
                await output.ReadExactlyAsync(buffer, token);
                seen.Write(buffer);
            }),
        };

        var result = await new ProcessCommandRunner(new ListLog(), new SecretMasker()).RunAsync(command);

        Assert.That(result.ExitCode, Is.Zero);
        Assert.That(seen.ToArray(), Is.EqualTo(Enumerable.Repeat((byte)'x', 100_000).ToArray()));
        Assert.That(command.Render(), Does.EndWith(" | the test's reader"));
    }

    [Test]
    public async Task A_reader_that_fails_stops_the_process_and_its_failure_is_the_runs()
    {
        // The process would write for ever: only being stopped ends it.
        var command = Shell("yes") with { StandardOutputReader = new Reader((_, _) => throw new InvalidDataException("the reader's own reason")) };

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new ProcessCommandRunner(new ListLog(), new SecretMasker()).RunAsync(command));

        Assert.That(error!.Message, Is.EqualTo("the reader's own reason"));
    }

    [Test]
    public async Task A_process_that_fails_by_itself_is_the_failure_not_the_readers_short_output()
    {
        var command = Shell("printf 'part'; echo 'pg_restore: error: could not read input file' >&2; exit 1") with
        {
            StandardOutputReader = new Reader(async (output, token) =>
            {
                var buffer = new byte[100];
                await output.ReadExactlyAsync(buffer, token);
            }),
        };

        var error = await Assert.ThrowsAsync<ToolFailedException>(() => new ProcessCommandRunner(new ListLog(), new SecretMasker()).RunAsync(command));

        Assert.That(error!.ToolExitCode, Is.EqualTo(1));
        Assert.That(error.ErrorTail, Has.Some.Contains("could not read input file"));
    }
}
