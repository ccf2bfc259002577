using System.Globalization;
using Build.Configuration;
using Build.Host;
using Build.Tools;
using Npgsql;

namespace Build.Database;

/// <summary>
/// Which database: <c>--connection</c> when given, else the environment's entry in config/database.json (a compose
/// service with its settings from variables, or a variable holding a connection string). Every password learnt is
/// registered with the masker before anything can print it.
/// </summary>
public static class DatabaseTargetResolver
{
    public static DatabaseTarget Resolve(
        string environmentName,
        string? connectionOverride,
        DatabaseConfig database,
        ProjectConfig project,
        Func<string, string?> variable,
        int portOffset,
        SecretMasker masker,
        bool requirePassword = true,
        Func<string, int?>? publishedPort = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(variable);
        ArgumentNullException.ThrowIfNull(masker);
        var isProtected = project.Environment(environmentName).Protected;
        if (!string.IsNullOrEmpty(connectionOverride))
        {
            return FromConnectionString(environmentName, connectionOverride, null, isProtected, "--connection", masker);
        }

        var settings = database.Environment(environmentName);
        if (settings.ConnectionStringVariable is { } name)
        {
            var value = variable(name);
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ConfigurationException(
                    $"The database of environment '{environmentName}' comes from the variable {name}, which is not set. "
                    + $"Set it (process environment or .env) to an Npgsql connection string, or pass --connection.");
            }

            return FromConnectionString(environmentName, value, null, isProtected, name, masker);
        }

        var password = Read(settings.Password, variable);
        SecretValues.RequireMaskable(settings.Password?.Variable ?? "the password", password, $"config/database.json (environment {environmentName})");
        masker.Add(password);
        // Only a plan that is printed and not run (--dryrun) may go without one: a fresh clone has no .env yet.
        if (settings.Password is not null && password is null && requirePassword)
        {
            throw new ConfigurationException(
                $"The database password of environment '{environmentName}' is not set: set {settings.Password.Variable} in .env (copy .env.example to .env) or pass --connection.");
        }

        // The environment's database is a service of its compose stack: connect to the port the stack publishes, as the
        // stack resolved it (its default, overlays and --port-offset), never a second computation of it.
        if (settings.Compose is not null && settings.Port?.Variable is { } portVariable && publishedPort?.Invoke(portVariable) is { } published)
        {
            return Target(published);
        }

        var portText = Read(settings.Port, variable) ?? "5432";
        if (!int.TryParse(portText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new ConfigurationException($"The database port of environment '{environmentName}' ({settings.Port?.Variable ?? "port"}) must be a number from 1 to 65535, not '{portText}'.");
        }

        if (settings.AddPortOffset)
        {
            port += portOffset;
            if (port > 65535)
            {
                throw new UsageException($"The database port of environment '{environmentName}' {port - portOffset} + --port-offset={portOffset} = {port} is outside 1-65535: choose a smaller offset.");
            }
        }

        return Target(port);

        DatabaseTarget Target(int port)
        {
            var builder = new NpgsqlConnectionStringBuilder
            {
                Host = settings.Host,
                Port = port,
                Database = Read(settings.Database, variable) ?? "postgres",
                Username = Read(settings.Username, variable) ?? "postgres",
                Password = password,
            };
            return new DatabaseTarget(environmentName, builder.ConnectionString, settings.Compose?.Service, isProtected, $"config/database.json ({environmentName})");
        }
    }

    private static DatabaseTarget FromConnectionString(string environmentName, string value, string? composeService, bool isProtected, string source, SecretMasker masker)
    {
        masker.Add(value);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(value);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Npgsql's message quotes the text it choked on, often a piece of the password: say where instead.
            var problem = ConnectionStringProblem.Describe(value) ?? "it does not parse.";
            throw DatabaseException.Refused(
                masker.Mask($"{source} is not a valid Npgsql connection string: {problem} Example: Host=127.0.0.1;Port=5432;Database=app;Username=app;Password=..."));
        }

        SecretValues.RequireMaskable("Password", builder.Password, source);
        masker.Add(builder.Password);
        return new DatabaseTarget(environmentName, builder.ConnectionString, composeService, isProtected, source);
    }

    private static string? Read(SettingValue? setting, Func<string, string?> variable)
    {
        if (setting is null)
        {
            return null;
        }

        if (setting.Variable is { } name && variable(name) is { Length: > 0 } value)
        {
            return value;
        }

        return setting.Default;
    }
}
