using Build.Database;
using Build.Tests.Support;
using Build.Tools.Postgres;

namespace Build.Tests.Database;

/// <summary>Which tables a Restore splits between its connections, and the lists each pg_restore run reads.</summary>
public sealed class RestoreSplitTests
{
    private const string Listing = """
        ;
        ;     dbname: app
        ;
        216; 1259 16391 TABLE public accounts app
        3358; 0 16391 TABLE DATA public accounts app
        3359; 0 16394 TABLE DATA public branches app
        3360; 0 16395 TABLE DATA app items postgres
        3361; 0 16396 TABLE DATA app two words postgres
        3211; 2606 16406 CONSTRAINT public accounts accounts_pkey app

        """;

    [Test]
    public void The_large_tables_are_those_of_at_least_the_rows_given_largest_first_and_none_at_zero()
    {
        var manifest = Manifest(new() { ["public.accounts"] = 3_000_000, ["public.branches"] = 30, ["app.items"] = 500_000 });

        Assert.That(RestoreSplit.LargeTables(manifest, 500_000), Is.EqualTo(new[] { "public.accounts", "app.items" }));
        Assert.That(RestoreSplit.LargeTables(manifest, 0), Is.Empty);
    }

    [Test]
    public void Each_chosen_tables_data_entry_is_left_out_of_the_other_list_so_every_entry_is_restored_once()
    {
        var (tables, others) = RestoreSplit.Entries(Listing, ["public.accounts", "app.items"]);

        Assert.That(tables, Is.EqualTo(new[]
        {
            ("public.accounts", "3358; 0 16391 TABLE DATA public accounts app"),
            ("app.items", "3360; 0 16395 TABLE DATA app items postgres"),
        }));
        var lines = others.Split('\n');
        Assert.That(lines, Does.Contain(";3358; 0 16391 TABLE DATA public accounts app").And.Contain(";3360; 0 16395 TABLE DATA app items postgres"));
        Assert.That(lines, Does.Contain("3359; 0 16394 TABLE DATA public branches app").And.Contain("216; 1259 16391 TABLE public accounts app"));
        Assert.That(lines.Count(l => !l.StartsWith(';') && l.Length > 0), Is.EqualTo(4));
    }

    [Test]
    public void A_table_whose_data_entry_cannot_be_told_apart_is_left_to_pg_restore()
    {
        var twice = Listing + "3362; 0 16391 TABLE DATA public accounts app\n";

        Assert.That(RestoreSplit.Entries(twice, ["public.accounts"]).Tables, Is.Empty, "two entries of the same name");
        Assert.That(RestoreSplit.Entries(Listing, ["app.two words"]).Tables, Is.Empty, "a name with a space");
        Assert.That(RestoreSplit.Entries(Listing, ["public.missing"]).Tables, Is.Empty);
    }

    [Test]
    public async Task The_pg_restore_runs_of_a_split_select_sections_and_lists_and_the_table_data_goes_to_the_reader()
    {
        var runner = new RecordingCommandRunner();
        var host = new LocalClientHost(runner, new PostgresConnection("127.0.0.1", 5432, "app", "app", "secret"));

        await host.RestoreAsync(new RestoreRequest("kit_verify_1", "/b/1/database.dump", Clean: false, Jobs: 2) { Sections = ["pre-data", "data"], UseList = "/tmp/r/others.list" });
        var load = host.TableDataCommand("/b/1/database.dump", "/tmp/r/table-1.list", new ParallelTableLoad("public.accounts", 2, _ => throw new InvalidOperationException("not opened by a plan")));

        Assert.That(runner.Lines.Single(), Is.EqualTo(
            "PGPASSWORD=[REDACTED] pg_restore --host 127.0.0.1 --port 5432 --username app --dbname kit_verify_1 --section=pre-data --section=data --use-list=/tmp/r/others.list --no-owner --jobs=2 --exit-on-error --no-password /b/1/database.dump"));
        Assert.That(load.Render(), Is.EqualTo(
            "pg_restore --section=data --use-list=/tmp/r/table-1.list --no-owner --file=- /b/1/database.dump | COPY public.accounts FROM STDIN through 2 connections, the rows split between them"));
        Assert.That(load.Environment, Does.Not.ContainKey("PGPASSWORD"), "the script run connects to nothing");
    }

    private static BackupManifest Manifest(SortedDictionary<string, long> tables) => new()
    {
        Environment = "dev",
        Database = "app",
        CreatedAt = DateTimeOffset.UnixEpoch,
        DumpFile = "database.dump",
        Sha256 = "00",
        SizeBytes = 1,
        ServerVersion = "15.8",
        ServerVersionNumber = 150008,
        DurationSeconds = 1,
        Tables = tables,
    };
}
