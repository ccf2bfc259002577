using Build.Ci;
using Build.Configuration;
using Build.Host;
using Microsoft.Extensions.DependencyInjection;

namespace Build;

/// <summary>The host as ./build.sh runs it: one definition, shared by the program and every test that runs it in-process.</summary>
public static class KitHost
{
    public static CakeHost Create() => new CakeHost()
        .UseContext<BuildContext>()
        .UseLifetime<BuildLifetime>()
        .UseTaskLifetime<TaskLifetime>()
        .UseRunGuard<EnvironmentGuard>()
        .AddAssembly(typeof(BuildContext).Assembly)
        .ConfigureServices(services => services.AddSingleton<TaskTimings>())
        .UseParameters(() => Arguments.All.Select(a => a.ToHostParameter()))
        .UseListing(Tasks.Core.DefaultTask.Listing, ListingCachePath())
        .UseProgramName(Bootstrapper.Command);

    /// <summary>
    /// The kept task listing, in the kit's <c>.build/</c> beside the program the bootstrapper built, one per bootstrapper
    /// (<c>listing.build.sh.txt</c>, <c>listing.build.ps1.txt</c>: they name themselves in it); none when no
    /// bootstrapper started this process (a test running the host in-process lists from the catalog every time).
    /// </summary>
    private static string? ListingCachePath() =>
        Environment.GetEnvironmentVariable("KIT_BOOTSTRAPPER") is { Length: > 0 } bootstrapper && Environment.GetEnvironmentVariable("KIT_ROOT") is { Length: > 0 } root
            ? Path.Combine(root, ".build", $"listing.{Path.GetFileName(bootstrapper)}.txt")
            : null;
}
