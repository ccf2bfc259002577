using System.Reflection;

namespace Build.Host;

internal static class TaskReflection
{
    public static bool Overrides(Type type, string methodName)
    {
        var method = type.GetMethod(methodName, BindingFlags.Instance | BindingFlags.Public);
        return method is not null && method.DeclaringType != method.GetBaseDefinition().DeclaringType;
    }
}
