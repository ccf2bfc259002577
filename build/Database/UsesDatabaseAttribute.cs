namespace Build.Database;

/// <summary>
/// The task works on the environment's database: before the run starts, config/database.json must have an entry for
/// the environment (unless <c>--connection</c> names the database), so a missing one is one line before any task.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class UsesDatabaseAttribute : Attribute;
