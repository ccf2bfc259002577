namespace Build.Docker;

/// <summary>
/// The task drives this run's compose stack. Before the run starts, the stack is resolved as far as it goes without
/// asking compose (project name, compose files, host ports), so a bad <c>--project-name</c>, <c>--env</c> or port
/// is one line before any task runs, not a failure inside the first one.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class UsesComposeStackAttribute : Attribute;
