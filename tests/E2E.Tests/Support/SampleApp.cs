namespace E2E.Tests.Support;

/// <summary>
/// What each class that runs a sample app folder (samples/python, samples/go, ...) sets up the same way: its own
/// stack (E2E_STACK_PREFIX and E2E_PORT_OFFSET pick the compose project's prefix and the host-port offset when the
/// engine is shared with other stacks) and the arguments that
/// select the app and the stack.
/// </summary>
public static class SampleApp
{
    public static Stack NewStack(string shortName)
    {
        var prefix = System.Environment.GetEnvironmentVariable("E2E_STACK_PREFIX") is { Length: > 0 } p ? p : "e2e-";
        var offset = int.TryParse(System.Environment.GetEnvironmentVariable("E2E_PORT_OFFSET"), out var o) ? o : Stack.NextPortOffset();
        return new Stack(prefix + shortName + "-" + Guid.NewGuid().ToString("N")[..8], offset);
    }

    public static string[] Arguments(string app, Stack stack, params string[] more) =>
        [$"--app={app}", $"--project-name={stack.Name}", $"--port-offset={stack.PortOffset}", .. more];

    /// <summary>
    /// The start every sample class makes: the app's base images (the stand-ins and the app's own overlay, or the public
    /// images: Kit.PublicImages), then DevUp of its dev stack. The result is the test's to judge.
    /// </summary>
    public static Kit.Result DevUp(string app, Stack stack, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        Kit.RequireEngine();
        Kit.PrepareBaseImages(app);
        return Kit.Run(environment, timeout, ["--target=DevUp", .. Arguments(app, stack)]);
    }

    /// <summary>DevDown --volumes (with the dev environment's files, which name every volume) leaves nothing behind.</summary>
    public static void AssertDevDownRemovesEverything(string app, Stack stack)
    {
        var down = Kit.Run(["--target=DevDown", "--volumes", $"--confirm={stack.Name}", .. Arguments(app, stack)]);

        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.That(stack.Containers(), Is.Empty, "DevDown --volumes left containers");
        Assert.That(stack.Volumes(), Is.Empty, "DevDown --volumes left volumes");
    }

    /// <summary>
    /// Asks <paramref name="url"/> every 100 ms until its answer contains <paramref name="marker"/> (true), or
    /// <paramref name="limit"/> (default two minutes) since <paramref name="clock"/> started has passed (false): a source
    /// edit served by the running dev stack, whose server may be restarting meanwhile.
    /// </summary>
    public static async Task<bool> ServesAsync(HttpClient http, Uri url, string marker, System.Diagnostics.Stopwatch clock, TimeSpan? limit = null)
    {
        while (clock.Elapsed < (limit ?? TimeSpan.FromMinutes(2)))
        {
            try
            {
                if ((await http.GetStringAsync(url)).Contains(marker, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // the server is restarting
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        return false;
    }
}
