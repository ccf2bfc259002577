using Cake.Core;

namespace Build.Host;

/// <summary>The base of every build context: an <see cref="ICakeContext"/> that forwards to the engine's own.</summary>
public class FrostingContext(ICakeContext context) : CakeContextAdapter(context)
{
    /// <summary>A line as the host may print it (a plan's line in a dry run): a context that knows secrets masks them.</summary>
    public virtual string ForDisplay(string line) => line;
}
