using Build.Deploy;
using Build.Host;
using Cake.Core.Diagnostics;

namespace Build;

/// <summary>
/// Consent for a run that changes a protected environment (<c>protected: true</c> in config/project.json), asked once,
/// over the engine's whole plan, before the engine starts. A task opts in by declaring
/// <see cref="ChangesEnvironmentAttribute"/>: then no task of a run that contains it (its dependencies included, such as
/// CloudBuildDeploy under Deploy) starts before consent, and a task added later is covered by its declaration, not by
/// remembering to call a guard. Before consent the kit has read only local files and process state: no cloud call, no
/// file written. A dry run is never refused (it changes nothing); it says what the real run will need.
/// </summary>
public sealed class EnvironmentGuard : FrostingRunGuard<BuildContext>
{
    public override void Check(BuildContext context, IReadOnlyList<TaskDescriptor> plan)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(plan);
        var changing = plan.Where(t => t.ChangesEnvironment is not null).ToArray();
        if (changing.Length == 0)
        {
            return;
        }

        var environment = context.EnvironmentName;
        var isProtected = context.Config.Project.Environment(environment).Protected;
        string? ciVariable = null;
        if (changing.Any(t => t.ChangesEnvironment == OnProtected.Confirm))
        {
            // A confirmed run is a cloud deploy today: its project must be on the allow-list before consent means anything,
            // and deploy.json names the CI approval variable.
            var deploy = context.Config.Deploy;
            if (deploy.Environments.TryGetValue(environment, out var settings))
            {
                DeployGuard.CheckProject(environment, settings.Project, deploy);
            }

            ciVariable = deploy.Approval.CiVariable;
        }

        context.Log.Information(Approve(new EnvironmentGuardRequest(
            environment,
            isProtected,
            changing,
            context.Parameters.Confirm,
            context.Parameters.IsCi,
            ciVariable,
            ciVariable is null ? null : context.ProcessEnvironment.GetValueOrDefault(ciVariable),
            context.IsDryRun)));
    }

    /// <summary>How the run was approved (a line for the log), or a refusal (<see cref="EnvironmentRefusedException"/>, exit 2).</summary>
    public static string Approve(EnvironmentGuardRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var environment = request.Environment;
        if (!request.Protected)
        {
            return $"{environment} is not protected: no confirmation needed.";
        }

        var refusing = request.Changing.Where(t => t.ChangesEnvironment == OnProtected.Refuse).Select(t => t.Name).ToArray();
        if (refusing.Length > 0)
        {
            var never = $"{environment} is protected in config/project.json; {string.Join(", ", refusing)} never runs against it, not even with --confirm";
            return request.DryRun
                ? $"A real run is refused: {never}."
                : throw new EnvironmentRefusedException($"Refused: {never}.");
        }

        if (request.Confirm is { } confirm)
        {
            return string.Equals(confirm, environment, StringComparison.Ordinal)
                ? $"{environment} is protected: confirmed with --confirm={confirm}."
                : throw new EnvironmentRefusedException($"--confirm={confirm} does not name this environment: {environment} is protected, confirm it with --confirm={environment}.");
        }

        if (request.IsCi && request.CiVariable is { } variable && string.Equals(request.CiValue, environment, StringComparison.Ordinal))
        {
            return $"{environment} is protected: approved in CI by {variable}={request.CiValue}.";
        }

        var how = request.CiVariable is { } name ? $" (in CI: CI=true and {name}={environment})" : string.Empty;
        if (request.DryRun)
        {
            return $"{environment} is protected: this dry run changes nothing; a real run needs --confirm={environment}{how}.";
        }

        var changes = string.Join(", ", request.Changing.Select(t => t.Name));
        throw new EnvironmentRefusedException(
            $"{environment} is protected and this run changes it ({changes}): nothing was done. See the plan with --dryrun, then run again with --confirm={environment}{how}.");
    }
}

/// <summary>What the guard looks at: the run's environment, the tasks of the plan that change it, and the consent given.</summary>
public sealed record EnvironmentGuardRequest(
    string Environment,
    bool Protected,
    IReadOnlyList<TaskDescriptor> Changing,
    string? Confirm,
    bool IsCi,
    string? CiVariable,
    string? CiValue,
    bool DryRun);

/// <summary>The run changes a protected environment without consent: one line, exit 2, before any task ran.</summary>
public sealed class EnvironmentRefusedException(string message) : ExitCodeException(2, message);
