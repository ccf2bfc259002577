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
        .UseParameters(Arguments.All.Select(a => a.ToHostParameter()))
        .UseListing(Tasks.Core.DefaultTask.Listing)
        .UseProgramName(Bootstrapper.Command);
}
