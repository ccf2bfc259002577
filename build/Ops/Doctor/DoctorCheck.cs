namespace Build.Ops.Doctor;

public enum CheckStatus
{
    Ok,
    Warn,
    Fail,

    /// <summary>Not checked, because what it depends on is missing (said in the detail).</summary>
    Skipped,
}

/// <summary>
/// One finding of Doctor: what was checked, how it stands, what was seen and how to fix it. A failing check is
/// <see cref="Blocking"/> when DevUp cannot work without it; only those make Doctor exit non-zero.
/// </summary>
public sealed record DoctorCheck(string Name, CheckStatus Status, string Detail, string? Fix = null, bool Blocking = false)
{
    public bool BlocksDevUp => Status == CheckStatus.Fail && Blocking;

    public static DoctorCheck Ok(string name, string detail) => new(name, CheckStatus.Ok, detail);

    public static DoctorCheck Warn(string name, string detail, string fix) => new(name, CheckStatus.Warn, detail, fix);

    /// <summary>A failure that does not stop DevUp (deploy, backups by hand): reported, exit code unaffected.</summary>
    public static DoctorCheck Fail(string name, string detail, string fix) => new(name, CheckStatus.Fail, detail, fix);

    public static DoctorCheck Blocker(string name, string detail, string fix) => new(name, CheckStatus.Fail, detail, fix, Blocking: true);

    public static DoctorCheck Skip(string name, string detail) => new(name, CheckStatus.Skipped, detail);
}
