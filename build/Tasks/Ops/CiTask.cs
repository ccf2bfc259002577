using Build.Host;
using Build.Tasks.Core;
using Build.Tasks.Dev;

namespace Build.Tasks.Ops;

/// <summary>What CI runs on every push: the cheapest checks first, so a broken compose file fails in seconds.</summary>
[TaskName(nameof(CI))]
[TaskDescription("What CI runs: compose validation, image builds, then every test suite (shellcheck first)")]
[IsDependentOn(typeof(ComposeValidateTask))]
[IsDependentOn(typeof(BuildImagesTask))]
[IsDependentOn(typeof(TestTask))]
public sealed class CiTask : FrostingTask<BuildContext>
{
    private const string CI = "CI";
}
