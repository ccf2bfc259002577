using Build.Host;
using Build.Tasks.Deploy;

namespace Build.Tests;

/// <summary>
/// The protected-environment guard as a pure decision (the scenario tests run it through the host), and which tasks
/// declare that they change an environment.
/// </summary>
public sealed class EnvironmentGuardTests
{
    private static readonly TaskDescriptor Deploy = TaskDescriptor.From(typeof(DeployTask));
    private static readonly TaskDescriptor CloudBuild = TaskDescriptor.From(typeof(CloudBuildDeployTask));
    private static readonly TaskDescriptor Reset = new(typeof(object), "DbReset", "resets", [], [], false, DryRunKind.Plan, OnProtected.Refuse);

    [Test]
    public void Every_task_that_changes_a_cloud_environment_declares_it_and_a_reader_does_not()
    {
        var catalog = new TaskCatalog(typeof(BuildContext).Assembly.GetTypes().Where(t => typeof(IFrostingTask).IsAssignableFrom(t) && !t.IsAbstract));

        var declared = catalog.Tasks.Where(t => t.ChangesEnvironment is not null).ToDictionary(t => t.Name, t => t.ChangesEnvironment);

        Assert.That(declared.Keys, Is.SupersetOf(new[] { "CloudBuildDeploy", "Deploy", "Promote", "Rollback", "PreviewCleanup" }));
        Assert.That(declared.Where(p => p.Key is "CloudBuildDeploy" or "Deploy" or "Promote" or "Rollback" or "PreviewCleanup").Select(p => p.Value), Has.All.EqualTo(OnProtected.Confirm));
        Assert.That(declared.Keys, Has.No.Member("DeployStatus"), "reading an environment needs no consent");
    }

    [Test]
    public void An_environment_that_is_not_protected_needs_no_confirmation()
    {
        Assert.That(EnvironmentGuard.Approve(Request("staging", isProtected: false)), Is.EqualTo("staging is not protected: no confirmation needed."));
    }

    [Test]
    public void A_protected_environment_without_consent_is_refused_naming_every_task_that_changes_it()
    {
        Assert.That(() => EnvironmentGuard.Approve(Request()), Throws.TypeOf<EnvironmentRefusedException>()
            .With.Property(nameof(EnvironmentRefusedException.ExitCode)).EqualTo(2)
            .And.Message.EqualTo("production is protected and this run changes it (CloudBuildDeploy, Deploy): nothing was done. See the plan with --dryrun, then run again with --confirm=production (in CI: CI=true and KIT_DEPLOY_APPROVED=production)."));
    }

    [Test]
    public void A_dry_run_is_never_refused_and_says_what_the_real_run_needs()
    {
        Assert.That(EnvironmentGuard.Approve(Request() with { DryRun = true }),
            Is.EqualTo("production is protected: this dry run changes nothing; a real run needs --confirm=production (in CI: CI=true and KIT_DEPLOY_APPROVED=production)."));
    }

    [Test]
    public void Consent_is_the_typed_environment_name_or_the_ci_approval_and_nothing_else()
    {
        Assert.That(EnvironmentGuard.Approve(Request() with { Confirm = "production" }), Is.EqualTo("production is protected: confirmed with --confirm=production."));
        Assert.That(EnvironmentGuard.Approve(Request() with { IsCi = true, CiValue = "production" }), Is.EqualTo("production is protected: approved in CI by KIT_DEPLOY_APPROVED=production."));
        Assert.That(() => EnvironmentGuard.Approve(Request() with { Confirm = "Production" }), Throws.TypeOf<EnvironmentRefusedException>().With.Message.StartsWith("--confirm=Production does not name this environment"));
        Assert.That(() => EnvironmentGuard.Approve(Request() with { CiValue = "production" }), Throws.TypeOf<EnvironmentRefusedException>(), "the CI variable counts only with CI=true");
        Assert.That(() => EnvironmentGuard.Approve(Request() with { IsCi = true, CiValue = "staging" }), Throws.TypeOf<EnvironmentRefusedException>());
        Assert.That(() => EnvironmentGuard.Approve(Request() with { IsCi = true, CiVariable = null, CiValue = "production" }), Throws.TypeOf<EnvironmentRefusedException>()
            .With.Message.EndsWith("then run again with --confirm=production."), "no approval variable configured: only --confirm");
    }

    [Test]
    public void A_task_that_refuses_protected_environments_is_refused_even_when_confirmed_and_a_dry_run_says_so()
    {
        var request = Request() with { Changing = [CloudBuild, Reset], Confirm = "production" };

        Assert.That(() => EnvironmentGuard.Approve(request), Throws.TypeOf<EnvironmentRefusedException>()
            .With.Message.EqualTo("Refused: production is protected in config/project.json; DbReset never runs against it, not even with --confirm."));
        Assert.That(EnvironmentGuard.Approve(request with { DryRun = true }), Does.StartWith("A real run is refused: production is protected"));
        Assert.That(EnvironmentGuard.Approve(request with { Protected = false, Environment = "dev" }), Is.EqualTo("dev is not protected: no confirmation needed."));
    }

    private static EnvironmentGuardRequest Request(string environment = "production", bool isProtected = true) =>
        new(environment, isProtected, [CloudBuild, Deploy], Confirm: null, IsCi: false, CiVariable: "KIT_DEPLOY_APPROVED", CiValue: null, DryRun: false);
}
