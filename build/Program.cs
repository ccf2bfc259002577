using Build;
using Build.Ci;
using Build.Configuration;
using Build.Host;
using Microsoft.Extensions.DependencyInjection;

return new CakeHost()
    .UseContext<BuildContext>()
    .UseLifetime<BuildLifetime>()
    .UseTaskLifetime<TaskLifetime>()
    .ConfigureServices(services => services.AddSingleton<TaskTimings>())
    .UseParameters(Arguments.All.Select(a => a.ToHostParameter()))
    .UseProgramName("./build.sh")
    .Run(args);
