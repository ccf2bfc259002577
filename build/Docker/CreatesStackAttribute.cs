namespace Build.Docker;

/// <summary>
/// The task creates the dev stack (DevStart, DevUp). On a fresh clone the run first writes <c>.env</c> from
/// <c>.env.example</c> with generated development passwords, before the stack's inputs are read from it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CreatesStackAttribute : Attribute;
