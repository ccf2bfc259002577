using Cake.Core;

namespace Build.Host;

/// <summary>The base of every build context: an <see cref="ICakeContext"/> that forwards to the engine's own.</summary>
public class FrostingContext(ICakeContext context) : CakeContextAdapter(context);
