using System.Reflection;
using Cake.Cli;
using Cake.Common.Modules;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.Graph;
using Cake.Core.Modules;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Build.Host;

/// <summary>
/// Frosting's host, written for our feed: finds the tasks, resolves them through dependency injection,
/// registers them with Cake's engine and runs the command line's target through Cake.Cli's script hosts.
/// It knows nothing of the tasks themselves.
/// </summary>
public sealed class CakeHost
{
    public const int UsageErrorExitCode = 2;

    private readonly List<Action<IServiceCollection>> serviceConfigurations = [];
    private readonly List<Assembly> taskAssemblies = [];
    private readonly List<Func<IEnumerable<HostParameter>>> parameterSources = [];
    private Type? contextType;
    private Type? lifetimeType;
    private Type? taskLifetimeType;
    private Type? runGuardType;
    private string programName = "build";
    private Func<TaskCatalog, string>? listing;
    private ListingCache? listingCache;

    public CakeHost UseContext<TContext>()
        where TContext : class, ICakeContext
    {
        contextType = typeof(TContext);
        return this;
    }

    public CakeHost UseLifetime<TLifetime>()
        where TLifetime : class
    {
        lifetimeType = typeof(TLifetime);
        return this;
    }

    public CakeHost UseTaskLifetime<TLifetime>()
        where TLifetime : class
    {
        taskLifetimeType = typeof(TLifetime);
        return this;
    }

    /// <summary>Not in Frosting: a <see cref="FrostingRunGuard{TContext}"/> that sees the whole plan before the engine starts.</summary>
    public CakeHost UseRunGuard<TGuard>()
        where TGuard : class
    {
        runGuardType = typeof(TGuard);
        return this;
    }

    public CakeHost AddAssembly(Assembly assembly)
    {
        taskAssemblies.Add(assembly);
        return this;
    }

    public CakeHost ConfigureServices(Action<IServiceCollection> configure)
    {
        serviceConfigurations.Add(configure);
        return this;
    }

    /// <summary>
    /// Not in Frosting: the <c>--name=value</c> parameters the application accepts; any other name is refused. Read when
    /// a command line is parsed, not before (an application's declarations may be found by reflection, which a listing
    /// answered from its cache does not need).
    /// </summary>
    public CakeHost UseParameters(Func<IEnumerable<HostParameter>> accepted)
    {
        parameterSources.Add(accepted);
        return this;
    }

    /// <summary>
    /// Not in Frosting: the text of the task listing, what the program prints when it is run with no argument at all.
    /// The listing needs the catalog and nothing else, so the host writes it without building the services, the
    /// context or the engine: the first command a newcomer runs starts as fast as the runtime allows. Any argument
    /// (an <c>--app</c>, a verbosity, <c>--dryrun</c>) takes the full path, where every input is checked.
    /// </summary>
    /// <param name="text">The listing, from the catalog.</param>
    /// <param name="cache">
    /// Where the listing is kept for the next bare run, with the builds of the task assemblies and the program name it was
    /// made for (null: not kept). A bare run whose cache matches prints it without reading the catalog or the parameters.
    /// </param>
    public CakeHost UseListing(Func<TaskCatalog, string> text, string? cache = null)
    {
        listing = text;
        listingCache = cache is null ? null : new ListingCache(cache);
        return this;
    }

    public CakeHost UseProgramName(string name)
    {
        programName = name;
        return this;
    }

    public int Run(IEnumerable<string> args) => RunAsync(args).GetAwaiter().GetResult();

    public async Task<int> RunAsync(IEnumerable<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var originalDirectory = Environment.CurrentDirectory;
        var clock = new PhaseClock();
        var diagnostic = false;
        var exitCode = 0;
        ServiceProvider? provider = null;
        try
        {
            var arguments = args.ToArray();
            // The kept listing's key is made for a bare run only: any other run reads nothing more than before.
            var listingKey = listing is not null && listingCache is not null && HostCommandLine.IsBareListingArguments(arguments)
                ? ListingCache.Key(TaskAssemblies, programName)
                : null;
            if (listingKey is not null && listingCache!.Read(listingKey) is { } kept)
            {
                Console.Out.Write(kept);
                return 0;
            }

            var parameters = parameterSources.SelectMany(source => source()).ToArray();
            var commandLine = HostCommandLine.Parse(arguments, parameters);
            if (commandLine.Help)
            {
                Console.Out.WriteLine(HostCommandLine.HelpText(programName, parameters));
                return 0;
            }

            if (commandLine.Version)
            {
                var assembly = Assembly.GetEntryAssembly() ?? typeof(CakeHost).Assembly;
                Console.Out.WriteLine(assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");
                return 0;
            }

            diagnostic = commandLine.Verbosity == Verbosity.Diagnostic;
            var catalog = new TaskCatalog(FindTaskTypes());
            var target = catalog.Find(commandLine.Target) ?? throw new UsageException(
                $"Unknown target '{commandLine.Target}'.{Suggestions.DidYouMean(commandLine.Target, catalog.Tasks.Select(t => t.Name))} Run without --target to list the tasks.");

            if (listing is not null && commandLine.IsBareListing)
            {
                var text = listing(catalog);
                Console.Out.Write(text);
                if (listingKey is not null)
                {
                    listingCache!.Write(listingKey, text);
                }

                return 0;
            }

            var directory = commandLine.WorkingDirectory;
            if (directory is not null)
            {
                if (!Directory.Exists(directory))
                {
                    throw new UsageException($"Working directory '{directory}' does not exist. Pass an existing folder to --working.");
                }

                Environment.CurrentDirectory = Path.GetFullPath(directory);
            }

            clock.Mark("command line parsed, tasks found");
            provider = BuildServices(commandLine, catalog, clock);
            var log = provider.GetRequiredService<ICakeLog>();
            log.Verbosity = commandLine.Verbosity;
            clock.Mark("services built");

            // The context parses and validates every parameter once; a bad value is a usage error before any task runs.
            var context = (ICakeContext)provider.GetRequiredService(contextType ?? typeof(FrostingContext));
            clock.Mark("context made (parameters, .env)");
            var engine = provider.GetRequiredService<ICakeEngine>();
            RegisterLifetimes(provider, engine, context);
            foreach (var descriptor in catalog.Tasks)
            {
                // A task is made when the engine first asks about it: a run builds the tasks of its plan (and their
                // services), not every task of the catalog.
                var type = descriptor.Type;
                RegisterTask(engine, descriptor, () => (IFrostingTask)provider.GetRequiredService(type), context);
            }

            var host = CreateScriptHost(commandLine, provider, engine, context, log, catalog);
            clock.Mark("engine ready, tasks registered");
            if (commandLine.Exclusive)
            {
                host.Settings.UseExclusiveTarget();
            }

            if (!commandLine.Tree && !commandLine.Description)
            {
                // The engine's own ordering (Cake's graph), computed here so the run's inputs are checked, and the guard
                // asked, before the engine prints anything: what they refuse is one line, as on the command line.
                var plan = catalog.Plan(commandLine.Exclusive ? [target.Name] : CakeGraphBuilder.Build(engine.Tasks).Traverse(target.Name).ToArray());
                if (lifetimeType is not null)
                {
                    new LifetimeInvoker(provider.GetRequiredService(lifetimeType)).Prepare(context, plan);
                    clock.Mark("run prepared (inputs checked)");
                }

                if (runGuardType is not null)
                {
                    new LifetimeInvoker(provider.GetRequiredService(runGuardType)).Check(context, plan);
                }

                foreach (var descriptor in plan)
                {
                    ((IFrostingTask)provider.GetRequiredService(descriptor.Type)).CheckInputs(context);
                }

                clock.Mark("guard asked, tasks' inputs checked");
            }

            await host.RunTargetAsync(target.Name).ConfigureAwait(false);
            clock.Mark("target run");
            return exitCode;
        }
        catch (Exception exception)
        {
            return exitCode = Report(exception);
        }
        finally
        {
            if (provider is not null)
            {
                await provider.DisposeAsync().ConfigureAwait(false);
            }

            Environment.CurrentDirectory = originalDirectory;
            // Bad input stays one line; any run that got going can say where its time went.
            if (diagnostic && exitCode != UsageErrorExitCode)
            {
                clock.Mark("services disposed");
                Console.Out.Write(clock.Report());
            }
        }
    }

    private IReadOnlyList<Assembly> TaskAssemblies => taskAssemblies.Count > 0 ? taskAssemblies : [Assembly.GetEntryAssembly()!];

    private IEnumerable<Type> FindTaskTypes()
    {
        var assemblies = TaskAssemblies;
        // Exported types only: a task is a public class (HostTests holds every task to it), and the compiler's own
        // nested types (closures, state machines: most of an assembly's types) need not be loaded to find them.
        return assemblies.SelectMany(a => a.GetExportedTypes())
            .Where(t => typeof(IFrostingTask).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });
    }

    private ServiceProvider BuildServices(HostCommandLine commandLine, TaskCatalog catalog, PhaseClock clock)
    {
        var services = new ServiceCollection();
        services.AddSingleton(clock);
        services.AddCakeDiagnostics();
        var color = HostConsole.ColorWanted();
        var console = new HostConsole(new CakeConsole(new CakeEnvironment(new CakePlatform(), new CakeRuntime())), color);
        services.AddSingleton<IConsole>(console);
        // Spectre.Console lays out --description's table only: made when that asks for it.
        services.AddSingleton(_ => HostConsole.CreateAnsiConsole(color));
        services.AddSingleton<ICakeReportPrinter>(new HostReportPrinter(console, listing: commandLine.Target == HostCommandLine.DefaultTarget && !commandLine.DryRun));
        services.UseModule<CoreModule>();
        services.UseModule<CommonModule>();
        services.AddSingleton<ICakeArguments>(new CakeArguments(commandLine.Arguments
            .SelectMany(p => p.Value.Select(v => (p.Key, Value: v)))
            .ToLookup(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase)));
        services.AddSingleton<ICakeConfiguration>(new CakeConfiguration(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)));
        services.AddSingleton(commandLine);
        services.AddSingleton(catalog);
        services.AddSingleton(contextType ?? typeof(FrostingContext));
        foreach (var type in new[] { lifetimeType, taskLifetimeType, runGuardType }.OfType<Type>())
        {
            services.AddSingleton(type);
        }

        foreach (var task in catalog.Tasks)
        {
            services.AddSingleton(task.Type);
        }

        foreach (var configure in serviceConfigurations)
        {
            configure(services);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = false });
    }

    private void RegisterLifetimes(IServiceProvider provider, ICakeEngine engine, ICakeContext context)
    {
        if (lifetimeType is not null)
        {
            var lifetime = new LifetimeInvoker(provider.GetRequiredService(lifetimeType));
            engine.RegisterSetupAction(info => lifetime.Setup(context, info));
            engine.RegisterTeardownAction(info => lifetime.Teardown(context, info));
        }

        if (taskLifetimeType is not null)
        {
            var lifetime = new LifetimeInvoker(provider.GetRequiredService(taskLifetimeType));
            engine.RegisterTaskSetupAction(info => lifetime.TaskSetup(context, info));
            engine.RegisterTaskTeardownAction(info => lifetime.TaskTeardown(context, info));
        }
    }

    private static void RegisterTask(ICakeEngine engine, TaskDescriptor descriptor, Func<IFrostingTask> resolve, ICakeContext context)
    {
        var builder = engine.RegisterTask(descriptor.Name).Description(descriptor.Description);
        foreach (var dependency in descriptor.DependsOn)
        {
            builder.IsDependentOn(TaskDescriptor.From(dependency).Name);
        }

        foreach (var dependee in descriptor.DependeeOf)
        {
            builder.IsDependeeOf(TaskDescriptor.From(dependee).Name);
        }

        builder.WithCriteria(_ => resolve().ShouldRun(context)).Does(() => resolve().RunAsync(context));
        if (descriptor.HandlesErrors)
        {
            // Frosting's OnError must not swallow the failure: the task reports, the run still fails.
            builder.OnError((exception, _) =>
            {
                resolve().OnError(exception, context);
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception).Throw();
            });
        }

        if (descriptor.ContinueOnError)
        {
            builder.ContinueOnError();
        }

        builder.Finally(() => resolve().Finally(context));
    }

    private static Cake.Core.Scripting.ScriptHost CreateScriptHost(
        HostCommandLine commandLine, IServiceProvider provider, ICakeEngine engine, ICakeContext context, ICakeLog log, TaskCatalog catalog)
    {
        if (commandLine.Tree)
        {
            return new TreeScriptHost(engine, context, provider.GetRequiredService<IConsole>());
        }

        if (commandLine.Description)
        {
            return new DescriptionScriptHost(engine, context, provider.GetRequiredService<IAnsiConsole>());
        }

        var strategy = new DefaultExecutionStrategy(log, provider.GetRequiredService<ICakeReportPrinter>());
        var executionStrategy = commandLine.DryRun ? new DryRunExecutionStrategy(strategy, log, catalog, type => (IFrostingTask)provider.GetRequiredService(type)) : (IExecutionStrategy)strategy;
        return new BuildScriptHost(
            engine,
            executionStrategy,
            context,
            provider.GetRequiredService<ICakeReportPrinter>(),
            provider.GetRequiredService<ICakeConfiguration>(),
            log);
    }

    private static int Report(Exception exception)
    {
        var failure = Unwrap(exception);
        switch (failure)
        {
            case UsageException usage:
                Console.Error.WriteLine(usage.Message);
                return UsageErrorExitCode;
            case ExitCodeException known:
                Console.Error.WriteLine($"Error: {known.Message}");
                return known.ExitCode;
            case CakeException { ExitCode: not 0 } cake:
                Console.Error.WriteLine($"Error: {cake.Message}");
                return cake.ExitCode;
            default:
                Console.Error.WriteLine($"Error: {failure.Message}");
                if (Environment.GetEnvironmentVariable("BUILD_STACK_TRACES") == "1")
                {
                    Console.Error.WriteLine(failure);
                }

                return 1;
        }
    }

    private static Exception Unwrap(Exception exception)
    {
        while (true)
        {
            switch (exception)
            {
                case CakeReportException { InnerException: { } inner }:
                    exception = inner;
                    continue;
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    exception = aggregate.InnerExceptions[0];
                    continue;
                case TargetInvocationException { InnerException: { } inner }:
                    exception = inner;
                    continue;
                default:
                    return exception;
            }
        }
    }
}
