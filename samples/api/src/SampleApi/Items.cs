using Npgsql;

namespace SampleApi;

public sealed record Item(long Id, string Name, string? Description, DateTimeOffset CreatedAt);

public sealed record NewItem(string? Name, string? Description)
{
    public const int NameMaxLength = 200;
    public const int DescriptionMaxLength = 2000;

    /// <summary>Field name to messages, empty when the item may be stored.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors["name"] = ["name is required"];
        }
        else if (Name.Length > NameMaxLength)
        {
            errors["name"] = [$"name must be at most {NameMaxLength} characters"];
        }

        if (Description is { Length: > DescriptionMaxLength })
        {
            errors["description"] = [$"description must be at most {DescriptionMaxLength} characters"];
        }

        return errors;
    }
}

/// <summary>Reads and writes app.items, a table the kit's migrations create.</summary>
public sealed class ItemRepository(DatabaseOptions options)
{
    public const int PageSize = 100;

    private NpgsqlDataSource DataSource =>
        options.DataSource ?? throw new InvalidOperationException("the database is not configured: set ConnectionStrings__Postgres or Postgres__Host/__Database/__Username/__Password");

    public async Task<IReadOnlyList<Item>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(
            "SELECT id, name, description, created_at FROM app.items ORDER BY id LIMIT $1");
        command.Parameters.AddWithValue(PageSize);
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<Item?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(
            "SELECT id, name, description, created_at FROM app.items WHERE id = $1");
        command.Parameters.AddWithValue(id);
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    public async Task<Item> CreateAsync(string name, string? description, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(
            "INSERT INTO app.items (name, description) VALUES ($1, $2) RETURNING id, name, description, created_at");
        command.Parameters.AddWithValue(name);
        command.Parameters.AddWithValue((object?)description ?? DBNull.Value);
        return (await ReadAsync(command, cancellationToken)).Single();
    }

    private static async Task<IReadOnlyList<Item>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var items = new List<Item>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new Item(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return items;
    }
}

public static class ItemEndpoints
{
    public static void MapItemEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var items = endpoints.MapGroup("/items");

        items.MapGet("/", async (ItemRepository repository, CancellationToken cancellationToken) =>
            await WithDatabaseAsync(async () => Results.Ok(await repository.ListAsync(cancellationToken))));

        items.MapGet("/{id:long}", async (long id, ItemRepository repository, CancellationToken cancellationToken) =>
            await WithDatabaseAsync(async () =>
                await repository.FindAsync(id, cancellationToken) is { } item ? Results.Ok(item) : Results.NotFound()));

        items.MapPost("/", async (NewItem newItem, ItemRepository repository, CancellationToken cancellationToken) =>
        {
            var errors = newItem.Validate();
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }

            return await WithDatabaseAsync(async () =>
            {
                var item = await repository.CreateAsync(newItem.Name!.Trim(), newItem.Description, cancellationToken);
                return Results.Created($"/items/{item.Id}", item);
            });
        });
    }

    /// <summary>A missing database or schema is "unavailable" (503), not a bug (500).</summary>
    private static async Task<IResult> WithDatabaseAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return Results.Problem("table app.items does not exist: run the database migrations", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return Results.Problem($"database unavailable: {exception.Message}", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
