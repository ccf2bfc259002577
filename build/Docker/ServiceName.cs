using Build.Host;

namespace Build.Docker;

public static class ServiceName
{
    /// <summary>The service, when the stack has it; else a usage error naming the services it has.</summary>
    public static string Check(string service, IReadOnlyList<string> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.Contains(service)
            ? service
            : throw new UsageException(
                $"--service={service}: the stack has no such service.{Suggestions.DidYouMean(service, services)} Services: {string.Join(", ", services)}.");
    }
}
