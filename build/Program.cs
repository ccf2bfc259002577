using Build;
using Build.Configuration;
using Build.Host;

return new CakeHost()
    .UseContext<BuildContext>()
    .UseLifetime<BuildLifetime>()
    .UseParameters(Arguments.All.Select(a => a.ToHostParameter()))
    .UseProgramName("./build.sh")
    .Run(args);
