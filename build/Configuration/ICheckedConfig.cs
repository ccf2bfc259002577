namespace Build.Configuration;

/// <summary>
/// A configuration record with rules a JSON schema cannot express (a duration's range, one setting against another).
/// <see cref="ConfigLoader"/> asks it right after binding, so a violation names the file and line like a schema error.
/// </summary>
public interface ICheckedConfig
{
    /// <summary>Each problem as the JSON pointer of the offending value ("/prune/imagesOlderThan") and what is wrong.</summary>
    IEnumerable<(string Pointer, string Message)> Problems();
}
